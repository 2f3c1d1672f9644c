# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a compose in progress is making, written on the host next to its lock, so a dead job's work is undone.

A job that dies half-way (killed, out of memory, the controller rebooted, the daemon restarted under it) cannot
roll back; its volumes would stay with no VM listing them, and capacity would count space nobody owns. So before
it makes anything, the lock holder writes a *compose record* ``<lock>-job-<token>`` with the same backing as the
lock (a volume in libvirt's vmfleet pool, a profile in the LXD project): the VM's name and the volumes it is about
to create. The driver has checked that none of them exists yet, and under the lock no other vmfleet job makes
them, so every volume the record names is the job's own. The record is deleted once the VM is defined (it then
lists its volumes itself) or once the rollback removed everything.

Any record but one's own that a lock holder finds was therefore left by a job that no longer holds the lock: it
died (or outlived its lease, which the lock treats the same). Its VM, if it exists, was defined and is whole (the
definition is the last step), so the record is only dropped; otherwise the volumes it names are removed. Either
way the host is as if the dead job had finished, or had never started. Jobs run this before they read capacity,
so a dead job's volumes never count against the next request.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers import holder as holder_process


def prefix(lock) -> str:
    return f"{lock.name}-job-"


def begin(lock, vm: str, volumes: list) -> str:
    """Record, before anything is made, that this job is making ``vm`` with ``volumes``; returns the record's name."""
    name = prefix(lock) + lock.token
    content = {
        "token": lock.token,
        "owner": lock.owner,
        "process": holder_process.identity(),
        "vm": vm,
        "volumes": [{"pool": v["pool"], "name": v["name"]} for v in volumes],
    }
    lock._create(name, content)
    return name


def end(lock, name: str) -> None:
    """The compose finished, or everything it made is gone: forget it."""
    lock._delete(name)


def pending(lock) -> bool:
    """Whether records of other jobs wait to be settled (read without holding the lock: a hint, not a decision)."""
    return bool(lock._names(prefix(lock)))


def _volumes(record) -> list:
    found = record.get("volumes") if isinstance(record, dict) else None
    if not isinstance(found, list):
        return []
    return [
        {"pool": v["pool"], "name": v["name"]}
        for v in found
        if isinstance(v, dict) and isinstance(v.get("pool"), str) and isinstance(v.get("name"), str)
    ]


def finish_dead(lock, driver) -> list:
    """Settle every record of another job (the caller holds the lock); returns what was done, one line each.

    A record whose content cannot be read was created and not yet written when its job died: nothing had been
    made, so it is only removed.
    """
    mine = prefix(lock) + lock.token
    done = []
    for name in sorted(lock._names(prefix(lock))):
        if name == mine:
            continue
        record = lock._read(name)
        if record is None:
            continue  # removed meanwhile
        vm = record.get("vm") if isinstance(record.get("vm"), str) else None
        who = record.get("owner") or "a job"
        volumes = _volumes(record)
        if vm is None and volumes:
            done.append(f"record {lock.describe(name)} names volumes but no VM; kept for an operator to read")
            continue
        if vm and driver.has_vm(vm):
            done.append(f"VM {vm!r}, composed by {who} that died before it finished, is whole; kept")
        elif volumes:
            removed = driver.remove_vm(vm or "", volumes)
            done.append(
                f"removed what {who} made for VM {vm!r} before it died: {', '.join(removed) or 'nothing was left'}"
            )
        lock._delete(name)
    return done
