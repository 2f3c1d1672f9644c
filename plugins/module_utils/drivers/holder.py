# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which process holds a lock, said so that another process can prove it dead.

A pid alone proves nothing: another machine, container or boot has its own pids, and pids are reused. So the
holder also records the kernel's boot id, its pid namespace and the start time of its process (clock ticks since
boot, /proc/<pid>/stat field 22). Only a process with the same boot id and pid namespace can judge the pid, and it
calls the holder dead only when that pid does not exist or belongs to a process that started at another time.
Anything it cannot read (no /proc, another kernel) means "not provably dead": the lease decides then.
"""

from __future__ import annotations

import errno
import os

_BOOT_ID = "/proc/sys/kernel/random/boot_id"


def _read(path: str):
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read().strip()
    except (OSError, ValueError):
        return None


def _pid_namespace():
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def start_time(pid: int):
    """The process's start time in clock ticks since boot, or None when there is no such process (or no /proc)."""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return None
    # the command name (field 2) is in parentheses and may hold spaces and ')': split after the last ')'
    fields = stat.rsplit(")", 1)[-1].split()
    try:
        return int(fields[19])  # field 22 of the whole line
    except (IndexError, ValueError):
        return None


def identity(pid=None) -> dict:
    """This process (or ``pid``), as the lock records its holder."""
    pid = os.getpid() if pid is None else pid
    return {"boot": _read(_BOOT_ID), "pid_namespace": _pid_namespace(), "pid": pid, "start": start_time(pid)}


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as error:
        return error.errno != errno.ESRCH  # EPERM: it exists, under another user
    return True


def is_dead(process) -> bool:
    """True only when ``process`` (a holder's identity) provably no longer runs; False when it cannot be told."""
    if not isinstance(process, dict):
        return False
    pid, boot, namespace = process.get("pid"), process.get("boot"), process.get("pid_namespace")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0 or not boot or not namespace:
        return False
    if boot != _read(_BOOT_ID) or namespace != _pid_namespace():
        return False  # another machine, boot or container: its pids mean nothing here
    if not _exists(pid):
        return True
    started = start_time(pid)
    return started is not None and process.get("start") is not None and started != process.get("start")
