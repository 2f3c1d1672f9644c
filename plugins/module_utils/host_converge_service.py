# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``vm_converge`` does: one VM host's list of VMs, converged in one process.

Each VM means exactly what ``vm_compose`` makes of the same options (the same parsing, checks, rollback and
power logic, from vm_compose_service); what changes is the cost, which follows the host rather than the VMs:

- one connection (the module's) and one discovery for every VM already as asked, plus one look for compose
  records of jobs that died (the unchanged converge takes no lock, as vm_compose's unchanged run takes none);
- when anything is to be done, one compose lock for the whole list, with the host read again under it and after
  each VM that changed it: the next VM's capacity check must see the VM made before it;
- removals first, without the lock (as vm_compose removes), so their room is free for the VMs made after them;
- power changes and addresses after the lock is released (they change no capacity).

A lock held longer than a quarter of its lease is released and taken again between two VMs: a job on another
controller breaks a lock whose lease has run out, and a long list must not look like a holder that died.
A VM that fails (bad options, no room, the hypervisor's refusal) fails alone; the others are still converged.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError, PolicyError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers import compose_records
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.errors import RenderError
from ansible_collections.vmfleet.hosts.plugins.module_utils.fleet.host_jobs import HostJob
from ansible_collections.vmfleet.hosts.plugins.module_utils.module_base import failure
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_addresses import wait_failure
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_compose_service import (
    Clock,
    absent,
    as_asked,
    check_options,
    compose_locked,
    finish,
    parse,
    require_vm_host,
    settle_dead,
)

# what the core may refuse a VM with: the VM fails alone (anything else is a bug and fails the task)
REFUSALS = (SpecError, PolicyError, DriverError, RenderError, CapacityError)
# what a VM's entry keeps of its vm_compose result
KEPT = ("created", "power_state", "restart_required", "addresses", "vm", "removed_volumes", "forced_off")
LEASE_SHARE = 0.25


def _entry(job: HostJob) -> dict:
    entry = {"name": job.name, "action": "remove" if job.remove else "converge"}
    if job.error is not None:
        # a VM made and then failed (no address within the wait) was still changed
        changed = bool(job.result and job.result.get("changed"))
        return {**entry, "changed": changed, "failed": True, **job.error}
    kept = {key: job.result[key] for key in KEPT if key in job.result}
    return {**entry, "changed": bool(job.result.get("changed")), "failed": False, **kept}


def _attempt(job: HostJob, step, *args):
    """``step(*args)`` for the job; a refusal by the core becomes the job's failure."""
    try:
        return step(*args)
    except REFUSALS as error:
        job.error = failure(error)
        return None


def converge(driver, jobs: list, check_mode: bool, lock_timeout: int, clock=Clock) -> dict:
    """Converge the host's ``jobs`` (fleet/host_jobs.HostJob, their options validated; a job that failed
    validation stays failed and is reported).

    Returns ``vms`` (one entry per VM, in the jobs' order) and ``recovered`` (what was settled of jobs that died
    half-way, one line each).
    """
    for job in jobs:
        if job.pending:
            _attempt(job, _prepare, driver, job)
    wanted = [job for job in jobs if not job.remove and job.pending]
    if wanted:
        try:
            require_vm_host(driver)
        except DriverError as error:
            for job in wanted:
                job.error = failure(error)
    if not any(job.pending for job in jobs):
        return {"vms": [_entry(job) for job in jobs], "recovered": []}
    inventory = driver.inventory()
    removals = [job for job in jobs if job.remove and job.pending]
    for job in removals:
        job.result = _attempt(job, _remove, driver, inventory, job.name, check_mode)
    if any(job.result and job.result["changed"] for job in removals) and not check_mode:
        inventory = driver.inventory()  # their room is free now
    todo = [job for job in jobs if job.pending]
    recovered = []
    if check_mode:
        for job in todo:
            job.result = _attempt(job, _locked, driver, None, inventory, job, True)
    else:
        _as_asked(driver, inventory, todo)
        recovered = _under_lock(driver, [job for job in todo if job.pending], lock_timeout, clock)
    for job in jobs:
        if job.result is not None and not job.remove:
            job.result = _attempt(job, finish, driver, job.params, job.result, [], check_mode, clock)
        if job.result is not None and not job.remove:
            message = wait_failure(job.name, job.params, job.result, check_mode)
            if message:
                job.error = {"msg": message, "option": "wait_for_address"}
    return {"vms": [_entry(job) for job in jobs], "recovered": recovered}


def _prepare(driver, job: HostJob) -> None:
    check_options(job.params)
    if not job.remove:
        job.request, job.options = parse(job.params, driver)


def _remove(driver, inventory, name: str, check_mode: bool) -> dict:
    """A fleet removes only the VMs the collection composed (vm_compose's own state: absent is the way to remove
    any other, by name)."""
    existing = inventory.domains.get(name)
    if existing is not None and not existing["metadata"]["managed"]:
        raise DriverError(
            "not_managed",
            f"VM {name!r} on {driver.address} was not composed by vmfleet.hosts; a fleet removes only the VMs the "
            f"collection composed (vmfleet.hosts.vm_compose with state: absent removes it by name)",
        )
    return absent(driver, inventory, name, check_mode)


def _locked(driver, lock, inventory, job: HostJob, check_mode: bool):
    return compose_locked(driver, lock, inventory, job.params, job.request, job.options, check_mode)


def _as_asked(driver, inventory, jobs: list) -> None:
    """Give every VM already as asked its unchanged result, on the one discovery, unless a compose record of a
    job that died is waiting to be settled (then every VM goes the locked way, which settles it first)."""
    found = {job.name: as_asked(inventory, job.request, job.options) for job in jobs}
    if not any(found.values()) or compose_records.pending(driver.lock("vm_converge", 0)):
        return
    for job in jobs:
        job.result = found[job.name]


def _under_lock(driver, jobs: list, lock_timeout: int, clock) -> list:
    """The VMs to create or change, under one compose lock (taken again when held for long); returns what was
    settled of dead jobs' records."""
    recovered = []
    lock, taken, inventory = None, 0.0, None
    try:
        for job in jobs:
            if lock is not None and clock.now() - taken > lock.lease * LEASE_SHARE:
                lock.release()
                lock = None
            if lock is None:
                try:
                    lock = driver.lock(f"vm_converge ({len(jobs)} VMs)", lock_timeout)
                    lock.acquire()
                except DriverError as error:
                    lock = None
                    for waiting in jobs:
                        if waiting.pending:
                            waiting.error = failure(error)
                    break
                taken = clock.now()
                recovered += settle_dead(driver, lock)
                inventory = driver.inventory()
            job.result = _attempt(job, _locked, driver, lock, inventory, job, False)
            if job.error is not None or job.result["changed"]:
                # the next VM's capacity check sees this one; after a failure too, which may have changed part of
                # the host (a disk grown before the definition was refused)
                inventory = driver.inventory()
    finally:
        if lock is not None:
            lock.release()
    return recovered
