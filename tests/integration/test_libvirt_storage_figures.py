# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Storage figures are read fresh: data written into a pool's filesystem behind libvirt's back counts at once.

The pool lives on a 50 MiB tmpfs made for the test, so "the true free space" is the kernel's statvfs of it. Data is
written there with dd (not through libvirt); libvirt's cached pool figures do not see it until the pool is
refreshed, which discovery does before every capacity decision.
"""

from __future__ import annotations

import pytest
from small_fs import MIB, pool_entry, tmpfs, true_free, write_behind

from conftest import POOL_ROOT, TEST_POOL_PREFIX, TEST_VM_PREFIX, virsh, volume_names
from playbook_runner import play

pytestmark = pytest.mark.integration

POOL = TEST_POOL_PREFIX + "tiny"
DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"]}}


def _drop_pool(name: str) -> None:
    if name in virsh("pool-list", "--all", "--name", check=False).split():
        for volume in volume_names(name):
            virsh("vol-delete", volume, "--pool", name, check=False)
        virsh("pool-destroy", name, check=False)
        virsh("pool-undefine", name, check=False)


@pytest.fixture
def small_fs(clean_libvirt):
    """A 50 MiB tmpfs; the test's VMs and pool are dropped before the filesystem is unmounted, even on failure."""
    with tmpfs(POOL_ROOT) as mount:
        try:
            yield mount
        finally:
            for name in virsh("list", "--all", "--name", check=False).split():
                if name.startswith(TEST_VM_PREFIX):
                    virsh("destroy", name, check=False)
                    virsh("undefine", name, "--nvram", check=False)
            _drop_pool(POOL)


def compose(name, size_mib: int) -> dict:
    options = {"name": name, "cores": 1, "memory": 128, "disks": [{"name": "root", "size": f"{size_mib}M"}]}
    return {"name": name, "vmfleet.hosts.vm_compose": options, "ignore_errors": True}


def test_data_written_behind_libvirts_back_is_counted_and_refused_on(tmp_path, small_fs):
    pool_dir = small_fs / "pool"
    host = {
        "default_storage_pool": POOL,
        "create_default_storage_pool": True,
        "default_storage_pool_path": str(pool_dir),
    }
    results, proc = play(tmp_path, [{"name": "vm host", "vmfleet.hosts.vm_host": host}])
    assert proc.returncode == 0 and not results["vm host"].get("failed"), proc.stdout + proc.stderr
    assert pool_entry(tmp_path, POOL)["total"] == 50 * MIB

    # 40 MiB written into the pool's filesystem, not through libvirt (beside the pool's directory, not a volume)
    write_behind(small_fs / "filler", 40)
    cached = dict(line.split(":", 1) for line in virsh("pool-info", POOL, "--bytes").splitlines() if ":" in line)
    free = true_free(small_fs)
    assert free <= 10 * MIB
    assert int(cached["Available"].split()[0]) > free, "libvirt already saw the data: this test would prove nothing"

    entry = pool_entry(tmp_path, POOL)
    assert entry["available"] == free and entry["used"] == 50 * MIB - free

    too_big, fits = TEST_VM_PREFIX + "toobig", TEST_VM_PREFIX + "fits"
    results, proc = play(tmp_path, [compose(too_big, free // MIB + 1), compose(fits, 4)], module_defaults=DEFAULTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    refused = results[too_big]
    assert refused["failed"] is True and refused["resource"] == "storage", refused
    assert f"storage pool {POOL!r}" in refused["msg"] and "storage is not overcommitted" in refused["msg"]
    assert results[fits].get("failed") is not True and results[fits]["created"] is True, results[fits]
    assert volume_names(POOL) == [f"{fits}-root"]
    assert too_big not in virsh("list", "--all", "--name").split()
