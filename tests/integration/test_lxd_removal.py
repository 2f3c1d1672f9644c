# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""state: absent on LXD (and on Incus 6.0, marked incus: its dir pool lays volumes out the same way) in the safe
order, on a real failure: a custom volume the daemon cannot delete keeps the instance (the record of what it
owns), and the next absent finishes the job.

The obstacle is a bind mount of the volume's directory in the dir pool onto itself: the kernel refuses to remove
a mount point (EBUSY), even for root, so LXD's volume delete really fails. (The immutable flag used on libvirt
does not do here: LXD clears it before it deletes a dir pool's volume.)
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lxd_support import TEST_IMAGE, current, lxc_json

from playbook_runner import play

pytestmark = pytest.mark.integration

PROJECT = "vmfleet-test-removal"


def defaults() -> dict:
    """The connection of the daemon under test (lxd_support.current())."""
    connection = {"type": current().type, "project": PROJECT}
    return {"vmfleet.hosts.vm_compose": connection, "vmfleet.hosts.vm_host": connection}


VM = "vmft-rm"


@pytest.fixture
def pinned():
    """Directories bind-mounted onto themselves during the test are unmounted, even when the test fails."""
    paths = []
    yield paths
    for path in paths:
        subprocess.run(["umount", str(path)], check=False)


def volume_dir(pool: str, name: str) -> Path:
    shown = [p for p in lxc_json("storage", "list") if p["name"] == pool][0]
    return Path(shown["config"]["source"]) / "custom" / f"{PROJECT}_{name}"


def custom_volumes() -> list:
    return [
        v["name"]
        for v in lxc_json("storage", "volume", "list", "default", "--project", PROJECT)
        if v["type"] == "custom"
    ]


def absent(label):
    return {"name": label, "vmfleet.hosts.vm_compose": {"name": VM, "state": "absent"}, "ignore_errors": True}


@pytest.mark.incus
def test_a_volume_lxd_cannot_delete_keeps_the_instance_until_a_rerun_finishes(tmp_path, clean_lxd, pinned):
    host = {
        "create_project": True,
        "default_storage_pool": "default",
        "networks": [{"name": current().bridge, "default": True}],
    }
    vm = {"name": VM, "cores": 1, "memory": 128, "storage": "root:2,data:1", "boot": "image",
          "image": {"alias": TEST_IMAGE}, "instance_type": "container"}  # fmt: skip
    results, proc = play(
        tmp_path,
        [{"name": "vm host", "vmfleet.hosts.vm_host": host}, {"name": "compose", "vmfleet.hosts.vm_compose": vm}],
        module_defaults=defaults(),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert custom_volumes() == [f"{VM}-data"]

    data = volume_dir("default", f"{VM}-data")
    assert data.is_dir(), data
    subprocess.run(["mount", "--bind", str(data), str(data)], check=True)
    pinned.append(data)
    results, proc = play(tmp_path, [absent("blocked")], module_defaults=defaults())
    blocked = results["blocked"]
    assert blocked["failed"] is True and blocked["kind"] == "hypervisor", blocked
    assert f"cannot delete volume default/{VM}-data" in blocked["msg"] and "run state: absent again" in blocked["msg"]
    kept = [i for i in lxc_json("list", "--project", PROJECT) if i["name"] == VM]
    assert kept and kept[0]["status"] == "Stopped"  # the instance is still the record
    assert custom_volumes() == [f"{VM}-data"]

    subprocess.run(["umount", str(data)], check=True)
    pinned.clear()
    results, proc = play(tmp_path, [absent("finish"), absent("again")], module_defaults=defaults())
    finish, again = results["finish"], results["again"]
    assert finish.get("failed") is not True and finish["changed"] is True, finish
    assert f"default/{VM}-data" in finish["removed_volumes"]
    assert again["changed"] is False
    assert [i["name"] for i in lxc_json("list", "--project", PROJECT)] == []
    assert custom_volumes() == []
