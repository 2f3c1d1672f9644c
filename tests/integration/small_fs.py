# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small filesystem of a fixed size for storage-figure tests, and the kernel's own view of its free space.

tmpfs needs no loop device and has an exact size, so "the true free space" is simply its statvfs.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from pathlib import Path

from playbook_runner import play

MIB = 1024 * 1024


@contextlib.contextmanager
def tmpfs(parent: Path, size_mib: int = 50):
    """Mount a tmpfs of ``size_mib`` under ``parent``; unmounted and removed when the block ends."""
    mount = parent / f"tmpfs-{uuid.uuid4().hex[:8]}"
    mount.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mib}M,mode=0711", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        mount.rmdir()


def true_free(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def write_behind(path: Path, mib: int) -> None:
    """Write ``mib`` MiB with dd: data the hypervisor was not told about."""
    subprocess.run(["dd", "if=/dev/zero", f"of={path}", "bs=1M", f"count={mib}"], check=True, capture_output=True)


def pool_entry(tmp_path: Path, pool: str, module_defaults=None) -> dict:
    """The storage_pools[] entry of ``pool`` as vm_host_info reports it."""
    results, proc = play(
        tmp_path, [{"name": "info", "vmfleet.hosts.vm_host_info": {}}], module_defaults=module_defaults
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return next(p for p in results["info"]["host"]["storage_pools"] if p["name"] == pool)
