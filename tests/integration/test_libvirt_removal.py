# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""state: absent in the safe order, on a real failure: a volume libvirt cannot delete keeps the VM's definition
(the record of what it owns), and the next absent finishes the job.

The obstacle is the kernel's immutable flag (chattr +i) on the data volume's file: even root cannot unlink it, so
libvirt's vol-delete really fails.
"""

from __future__ import annotations

import subprocess

import pytest

from conftest import TEST_POOL_PREFIX, TEST_VM_PREFIX, virsh, volume_names
from playbook_runner import play

pytestmark = pytest.mark.integration

POOL = TEST_POOL_PREFIX + "removal"
DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"]}}


@pytest.fixture
def immutable():
    """Files made immutable during the test get their flag back off, even when the test fails."""
    paths = []
    yield paths
    for path in paths:
        subprocess.run(["chattr", "-i", path], check=False)


def absent(name, label):
    return {"name": label, "vmfleet.hosts.vm_compose": {"name": name, "state": "absent"}, "ignore_errors": True}


def test_a_volume_that_cannot_be_deleted_keeps_the_vm_until_a_rerun_finishes(
    tmp_path, pool_path, clean_libvirt, immutable
):
    name = TEST_VM_PREFIX + "rm"
    host = {
        "default_storage_pool": POOL,
        "create_default_storage_pool": True,
        "default_storage_pool_path": str(pool_path),
    }
    vm = {"name": name, "cores": 1, "memory": 128, "storage": "root:0.01,data:0.01"}
    results, proc = play(
        tmp_path,
        [{"name": "vm host", "vmfleet.hosts.vm_host": host}, {"name": "compose", "vmfleet.hosts.vm_compose": vm}],
        module_defaults=DEFAULTS,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(volume_names(POOL)) == [f"{name}-data", f"{name}-root"]

    data = virsh("vol-path", f"{name}-data", "--pool", POOL).strip()
    subprocess.run(["chattr", "+i", data], check=True)
    immutable.append(data)
    results, proc = play(tmp_path, [absent(name, "blocked")], module_defaults=DEFAULTS)
    blocked = results["blocked"]
    assert blocked["failed"] is True and blocked["kind"] == "hypervisor", blocked
    assert f"cannot delete volume {POOL}/{name}-data" in blocked["msg"]
    assert "run state: absent again" in blocked["msg"]
    assert name in virsh("list", "--all", "--name").split()  # the definition is still the record
    assert virsh("domstate", name).strip() == "shut off"
    assert volume_names(POOL) == [f"{name}-data"]  # the root volume went first

    subprocess.run(["chattr", "-i", data], check=True)
    results, proc = play(tmp_path, [absent(name, "finish"), absent(name, "again")], module_defaults=DEFAULTS)
    finish, again = results["finish"], results["again"]
    assert finish.get("failed") is not True and finish["changed"] is True, finish
    assert finish["removed_volumes"] == [f"{POOL}/{name}-data"]
    assert again["changed"] is False
    assert name not in virsh("list", "--all", "--name").split()
    assert volume_names(POOL) == []
