# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's compose lock seen from outside: a held lock makes a job wait and then fail naming the holder;
a lock whose holder died (its lease ran out) is broken and the job goes on."""

from __future__ import annotations

import json
import time

import pytest

from conftest import TEST_POOL_PREFIX, TEST_VM_PREFIX, virsh, volume_names
from playbook_runner import play

pytestmark = pytest.mark.integration

POOL = TEST_POOL_PREFIX + "lock"
DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"]}}


def hold_lock(tmp_path, owner: str, expires: float) -> None:
    """Take the lock as another job would: create the volume, then write who holds it and until when."""
    content = tmp_path / "lock.json"
    content.write_text(json.dumps({"token": "other-job", "owner": owner, "expires": expires}))
    virsh("vol-create-as", "vmfleet", "compose.lock", "64K", "--format", "raw")
    virsh("vol-upload", "--pool", "vmfleet", "compose.lock", str(content))


def setup_host(tmp_path, pool_path):
    options = {
        "default_storage_pool": POOL,
        "create_default_storage_pool": True,
        "default_storage_pool_path": str(pool_path),
    }
    results, proc = play(tmp_path, [{"name": "vm host", "vmfleet.hosts.vm_host": options}])
    assert proc.returncode == 0 and not results["vm host"].get("failed"), proc.stdout + proc.stderr


def compose_task(name, **extra):
    options = {"name": name, "memory": 128, "storage": "root:1", **extra}
    return {"name": name, "vmfleet.hosts.vm_compose": options, "ignore_errors": True}


def test_a_held_lock_times_out_naming_its_holder_and_touches_nothing(tmp_path, pool_path, clean_libvirt):
    setup_host(tmp_path, pool_path)
    hold_lock(tmp_path, "vm_compose db-1 (pid 4242 on ctl-2)", time.time() + 3600)
    name = TEST_VM_PREFIX + "waits"
    started = time.monotonic()
    results, _proc = play(tmp_path, [compose_task(name, lock_timeout=3)], module_defaults=DEFAULTS)
    waited = time.monotonic() - started
    result = results[name]
    assert result["failed"] is True and result["kind"] == "lock_timeout"
    assert "held by vm_compose db-1 (pid 4242 on ctl-2)" in result["msg"]
    assert waited >= 3
    assert volume_names(POOL) == [] and name not in virsh("list", "--all", "--name").split()
    assert "compose.lock" in volume_names("vmfleet")  # someone else's lock is not ours to release


def test_a_lock_whose_lease_ran_out_is_broken(tmp_path, pool_path, clean_libvirt):
    setup_host(tmp_path, pool_path)
    hold_lock(tmp_path, "vm_compose crashed-job (pid 1 on ctl-9)", time.time() - 1)
    name = TEST_VM_PREFIX + "breaks"
    results, _proc = play(tmp_path, [compose_task(name, lock_timeout=30)], module_defaults=DEFAULTS)
    assert results[name].get("failed") is not True, results[name]
    assert results[name]["created"] is True
    assert "compose.lock" not in volume_names("vmfleet")
