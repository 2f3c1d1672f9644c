# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures that leave the real libvirtd as the tests found it."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

TEST_POOL_PREFIX = "vmfleet-test-"
TEST_VM_PREFIX = "vmft-"
TEST_NETWORK = "vmfleet-test-down"
HUGEPAGES_2M = Path("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")
# QEMU runs as libvirt-qemu and cannot enter pytest's private tmp directories: pools go here instead.
POOL_ROOT = Path("/var/lib/libvirt/vmfleet-test")


def virsh(*args: str, check: bool = True) -> str:
    """Run virsh (a client we did not write) against the local system daemon and return its output."""
    proc = subprocess.run(
        ["virsh", "-q", "-c", "qemu:///system", *args], capture_output=True, text=True, timeout=60, check=False
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"virsh {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def ip(*args: str, check: bool = True) -> str:
    proc = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"ip {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def volume_names(pool: str) -> list:
    """Volume names of a pool (this virsh has no vol-list --name)."""
    return [line.split()[0] for line in virsh("vol-list", pool, check=False).splitlines() if line.strip()]


def _remove_pool(name: str) -> None:
    # a dir pool's directory is only deleted when empty; left behind, its files (a stale compose.lock, an old
    # policy.json) would come back as volumes when a pool is defined there again
    if name in virsh("pool-list", "--name", check=False).split():
        for volume in volume_names(name):
            virsh("vol-delete", volume, "--pool", name, check=False)
    virsh("pool-destroy", name, check=False)
    virsh("pool-delete", name, check=False)
    virsh("pool-undefine", name, check=False)


@pytest.fixture
def clean_libvirt():
    """Before and after a test: no vmfleet policy and no test pools on the local libvirtd."""

    def scrub():
        for name in virsh("list", "--all", "--name", check=False).split():
            if name.startswith(TEST_VM_PREFIX):
                virsh("destroy", name, check=False)
                virsh("undefine", name, "--nvram", check=False)
        for name in virsh("pool-list", "--all", "--name", check=False).split():
            if name.startswith(TEST_POOL_PREFIX):
                for volume in volume_names(name):
                    virsh("vol-delete", volume, "--pool", name, check=False)
        if TEST_NETWORK in virsh("net-list", "--all", "--name", check=False).split():
            virsh("net-undefine", TEST_NETWORK, check=False)
        _remove_pool("vmfleet")
        for name in virsh("pool-list", "--all", "--name", check=False).split():
            if name.startswith(TEST_POOL_PREFIX):
                _remove_pool(name)

    scrub()
    yield
    scrub()


@pytest.fixture
def pool_path():
    """A directory QEMU can reach, for a test's storage pool; removed after the test."""
    path = POOL_ROOT / uuid.uuid4().hex[:12]
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def hugepages_2m():
    """Reserve 2 MiB hugepages at run time for a test and give them back after it."""
    before = int(HUGEPAGES_2M.read_text())
    wanted = before + 256
    HUGEPAGES_2M.write_text(str(wanted))
    got = int(HUGEPAGES_2M.read_text())
    assert got == wanted, f"the kernel reserved {got} of {wanted} 2 MiB pages"
    yield got
    HUGEPAGES_2M.write_text(str(before))


def free_hugepages() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("HugePages_Free:"):
            return int(line.split()[1])
    raise AssertionError("no HugePages_Free in /proc/meminfo")


def pytest_generate_tests(metafunc):
    """A test that asks for the LXD daemon runs on LXD; marked ``incus`` it runs on Incus 6.0 too (one suite)."""
    chosen_by_test = any("daemon" in str(m.args[0]) for m in metafunc.definition.iter_markers("parametrize"))
    if "daemon" in metafunc.fixturenames and not chosen_by_test:
        from lxd_support import DAEMONS  # noqa: PLC0415 - only LXD tests pay for it

        chosen = DAEMONS if metafunc.definition.get_closest_marker("incus") else DAEMONS[:1]
        metafunc.parametrize("daemon", chosen, ids=[d.type for d in chosen], indirect=True)


@pytest.fixture
def daemon(request):
    """The daemon of the LXD family under test (lxd_support.Daemon); lxd_support's helpers talk to it."""
    import lxd_support  # noqa: PLC0415

    lxd_support.use(request.param)
    yield request.param
    lxd_support.use(lxd_support.LXD)


@pytest.fixture
def clean_lxd(daemon):
    """Before and after a test: nothing the LXD tests make is left on the daemon under test (see lxd_support)."""
    from lxd_support import scrub  # noqa: PLC0415 - only LXD tests pay for it

    scrub()
    yield
    scrub()
