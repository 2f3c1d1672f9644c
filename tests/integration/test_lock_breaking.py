# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Several real processes break one expired compose lock at the same moment, on libvirt and on LXD.

Each racer opens its own connection, waits at a common start line, then takes the lock, whose holder (a job that
"died") has a lease that ran out. Breaking goes through a breaker object only one of them can create
(drivers/lease_lock.py), so: every racer gets the lock in turn, no two hold it at once, the lock each holder
sees in the backing is its own for as long as it holds it, and afterwards no lock and no breaker is left.
"""

from __future__ import annotations

import json
import time

import pytest
from lxd_support import PROJECT_PREFIX, lxc
from start_line import run_from_start_line

from conftest import TEST_POOL_PREFIX, virsh, volume_names
from playbook_runner import play

pytestmark = pytest.mark.integration

RACERS = 6
HOLD = 0.3
DEAD = {"token": "0" * 32, "owner": "vm_compose crashed-job (pid 1 on ctl-9)", "expires": 0}
LXD_PROJECT = PROJECT_PREFIX + "-breaking"


def _driver(kind: str):
    if kind == "libvirt":
        from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.driver import LibvirtDriver

        return LibvirtDriver("qemu:///system")
    from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.driver import LxdDriver

    return LxdDriver({"address": None, "project": LXD_PROJECT})


def _racer(kind, start, out):
    try:
        lock = _driver(kind).lock("vm_compose racer", 60)
        start.wait()
        with lock:
            entered = time.time()
            mine = lock._holder().get("token") == lock.token
            time.sleep(HOLD)
            mine = mine and lock._holder().get("token") == lock.token  # nobody deleted it under us
            out.put(("held", entered, time.time(), mine))
    except Exception as error:  # reported by the test
        out.put((f"{type(error).__name__}: {error}", 0, 0, False))


def race(kind: str) -> list:
    return run_from_start_line(_racer, [(kind,)] * RACERS, settle=3)


def assert_one_holder_at_a_time(results):
    assert [r[0] for r in results] == ["held"] * RACERS, results
    assert all(r[3] for r in results), "a holder found another job's lock (or none) in the backing"
    spans = sorted((entered, left) for _kind, entered, left, _mine in results)
    for before, after in zip(spans, spans[1:]):
        assert after[0] >= before[1], f"two processes held the lock at once: {spans}"


def test_libvirt_racers_break_one_expired_lock_once(tmp_path, pool_path, clean_libvirt):
    host = {
        "default_storage_pool": TEST_POOL_PREFIX + "breaking",
        "create_default_storage_pool": True,
        "default_storage_pool_path": str(pool_path),
    }
    results, proc = play(tmp_path, [{"name": "vm host", "vmfleet.hosts.vm_host": host}])
    assert proc.returncode == 0 and not results["vm host"].get("failed"), proc.stdout + proc.stderr
    content = tmp_path / "lock.json"
    content.write_text(json.dumps(DEAD))
    virsh("vol-create-as", "vmfleet", "compose.lock", "64K", "--format", "raw")
    virsh("vol-upload", "--pool", "vmfleet", "compose.lock", str(content))

    assert_one_holder_at_a_time(race("libvirt"))
    assert [v for v in volume_names("vmfleet") if v.startswith("compose.lock")] == []


def lock_profiles() -> list:
    shown = json.loads(lxc("profile", "list", "--project", LXD_PROJECT, "--format", "json"))
    return [p["name"] for p in shown if p["name"].startswith("vmfleet-compose-lock")]


def test_lxd_racers_break_one_expired_lock_once(clean_lxd):
    lxc("project", "create", LXD_PROJECT, "-c", "features.images=false")
    try:
        lxc("project", "set", LXD_PROJECT, "user.vmfleet.policy", json.dumps({"format": 1, "policy": {}}))
        lxc("profile", "create", "vmfleet-compose-lock", "--project", LXD_PROJECT)
        lxc("profile", "set", "vmfleet-compose-lock", "user.vmfleet.lock", json.dumps(DEAD), "--project", LXD_PROJECT)

        assert_one_holder_at_a_time(race("lxd"))
        assert lock_profiles() == []
    finally:
        for name in lock_profiles():  # a profile left behind keeps the scrub from deleting the project
            lxc("profile", "delete", name, "--project", LXD_PROJECT, check=False)
