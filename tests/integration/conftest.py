# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures that leave the real libvirtd as the tests found it."""

from __future__ import annotations

import subprocess

import pytest

TEST_POOL_PREFIX = "vmfleet-test-"


def virsh(*args: str, check: bool = True) -> str:
    """Run virsh (a client we did not write) against the local system daemon and return its output."""
    proc = subprocess.run(
        ["virsh", "-q", "-c", "qemu:///system", *args], capture_output=True, text=True, timeout=60, check=False
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"virsh {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def _remove_pool(name: str) -> None:
    virsh("pool-destroy", name, check=False)
    virsh("pool-delete", name, check=False)
    virsh("pool-undefine", name, check=False)


@pytest.fixture
def clean_libvirt():
    """Before and after a test: no vmfleet policy and no test pools on the local libvirtd."""

    def scrub():
        _remove_pool("vmfleet")
        for name in virsh("pool-list", "--all", "--name", check=False).split():
            if name.startswith(TEST_POOL_PREFIX):
                _remove_pool(name)

    scrub()
    yield
    scrub()
