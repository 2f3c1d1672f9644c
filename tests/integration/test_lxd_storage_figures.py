# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""LXD's storage figures are exact: data written into a pool's filesystem behind LXD's back counts at once.

LXD measures a pool when asked (``/1.0/storage-pools/<name>/resources`` is a statfs of it, for a dir pool), so
discovery needs no refresh there; this test holds LXD to that. The pool is a dir pool on a 50 MiB tmpfs made for
the test, so "the true free space" is the kernel's statvfs of it; the data is written with dd, not through LXD.
"""

from __future__ import annotations

import pytest
from lxd_support import POOL_PREFIX, current, lxc, lxc_json
from small_fs import MIB, pool_entry, tmpfs, true_free, write_behind

from playbook_runner import play

pytestmark = pytest.mark.integration

PROJECT = "vmfleet-test-figures"
TINY = POOL_PREFIX + "tiny"


def defaults() -> dict:
    """The connection of the daemon under test (lxd_support.current())."""
    connection = {"type": current().type, "project": PROJECT}
    return {
        "vmfleet.hosts.vm_compose": connection,
        "vmfleet.hosts.vm_host": connection,
        "vmfleet.hosts.vm_host_info": connection,
    }


VM = "vmft-figures"
IMAGE = {"boot": "image", "image": {"alias": "vmfleet-test/debian12"}, "instance_type": "container"}


@pytest.fixture
def small_pool(tmp_path, clean_lxd):
    """A dir pool on a 50 MiB tmpfs; the instance and pool go before the filesystem is unmounted, even on failure."""
    with tmpfs(tmp_path) as mount:
        try:
            (mount / "pool").mkdir()
            lxc("storage", "create", TINY, "dir", f"source={mount / 'pool'}")
            yield mount
        finally:
            lxc("delete", "--force", "--project", PROJECT, VM, check=False)
            for vol in lxc_json("storage", "volume", "list", TINY, "--project", PROJECT, check=False) or []:
                if vol["type"] == "custom":
                    lxc("storage", "volume", "delete", TINY, vol["name"], "--project", PROJECT, check=False)
            lxc("storage", "delete", TINY, check=False)


def compose(label, data_size):
    disks = [{"name": "root", "size": 2, "pool": "default"}, {"name": "data", "size": data_size, "pool": TINY}]
    options = {"name": VM, "cores": 1, "memory": 128, "disks": disks, **IMAGE}
    return {"name": label, "vmfleet.hosts.vm_compose": options, "ignore_errors": True}


@pytest.mark.incus
def test_data_written_behind_lxds_back_is_counted_and_refused_on(tmp_path, small_pool):
    host = {
        "create_project": True,
        "default_storage_pool": "default",
        "networks": [{"name": current().bridge, "default": True}],
    }
    results, proc = play(tmp_path, [{"name": "vm host", "vmfleet.hosts.vm_host": host}], module_defaults=defaults())
    assert proc.returncode == 0 and not results["vm host"].get("failed"), proc.stdout + proc.stderr
    before = pool_entry(tmp_path, TINY, defaults())
    assert before["total"] == 50 * MIB and before["available"] == true_free(small_pool)

    write_behind(small_pool / "filler", 40)
    free = true_free(small_pool)
    assert free <= 10 * MIB
    after = pool_entry(tmp_path, TINY, defaults())
    assert after["available"] == free and after["used"] == 50 * MIB - free

    results, proc = play(
        tmp_path,
        [compose("too big", f"{free // MIB + 1}M"), compose("fits", "4M")],
        module_defaults=defaults(),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    refused = results["too big"]
    assert refused["failed"] is True and refused["resource"] == "storage", refused
    assert f"storage pool {TINY!r}" in refused["msg"]
    fits = results["fits"]
    assert fits.get("failed") is not True and fits["created"] is True, fits
    assert [
        v["name"] for v in lxc_json("storage", "volume", "list", TINY, "--project", PROJECT) if v["type"] == "custom"
    ] == [f"{VM}-data"]
