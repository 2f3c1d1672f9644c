# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``vm_compose`` does, between its options and a driver.

Under the host's compose lock: read the host, let the capacity core fit the request (refusing before anything
is touched), then create or update. Power changes come after the lock is released: booting a VM does not
change capacity, and holding the lock for it would serialise every job on the host for no reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time

from ansible_collections.vmfleet.hosts.plugins.module_utils.cloud_init.config import parse_cloud_init
from ansible_collections.vmfleet.hosts.plugins.module_utils.compose_state import desired_state, public_options
from ansible_collections.vmfleet.hosts.plugins.module_utils.drift_repair import report, settle
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers import compose_records
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.stored_policy import refuse_missing_default_pool
from ansible_collections.vmfleet.hosts.plugins.module_utils.fault_points import reached
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.constraints import (
    driver_options,
    host_mismatch,
    split_host_filter,
    with_virt_type,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.cpu_features import parse_cpu_features
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import REQUEST_KEYS, parse_request
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.scalars import parse_int
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_addresses import read_addresses

# A request as vm_plan takes it, less what only means something across hosts (count, zone, host_tags).
REQUEST_OPTIONS = tuple(key for key in REQUEST_KEYS if key not in ("count", "zone", "host_tags"))
CHANGEABLE = ("cores", "memory", "disks", "tags", "pool")
OPTION_DEFAULTS = {"accelerator": "auto"}  # what VMs composed before an option existed were built with
ACTIONS = {"started": "start", "stopped": "stop", "restarted": "restart"}


# The longest wait a task may ask for, in seconds: a day. Beyond it a number is a typo (or milliseconds).
MAX_WAIT = 86400


def check_options(params: dict) -> None:
    """Refuses, before the host is contacted, what can be judged without it (an unreachable host would
    otherwise hide the typo behind its own error): the timeouts, and for anything but a removal (which reads
    nothing else) the request, cloud-init and the CPU feature names."""
    for option in ("shutdown_timeout", "lock_timeout"):
        parse_int(params[option], option, 0, MAX_WAIT)
    if params.get("address_timeout") is not None:  # callers other than the module may not wait at all
        parse_int(params["address_timeout"], "address_timeout", 0, MAX_WAIT)
    if params["state"] != "absent":
        _parse_pure(params)
        parse_cpu_features(params.get("cpu_disabled_features"))


def _parse_pure(params: dict):
    """The request and the cloud-init settings: the part of the options no hypervisor is needed for."""
    request = parse_request({key: params[key] for key in REQUEST_OPTIONS if params.get(key) is not None}, "")
    host_filter = split_host_filter(request)  # constraints that choose a host: checked against this one
    with_virt_type(params, host_filter)
    cloud = parse_cloud_init(params.get("cloud_init"))
    if cloud is not None and params["boot"] != "image":
        raise SpecError(
            "cloud_init", MISSING, "needs boot: image; a network-booted VM gets its settings from the network"
        )
    return request, cloud, host_filter


def _refuse_other_host(params: dict, driver, record: dict) -> None:
    """A new VM whose constraints (zones, tags, virt-type) this VM host does not meet is refused, as Juju refuses
    a machine placed where its constraints cannot hold; a VM that exists already stays where it is."""
    reason = host_mismatch(
        _parse_pure(params)[2],
        record.get("zone") or "default",
        record.get("tags") or [],
        record.get("type") or "manual",
    )
    if reason is not None:
        raise SpecError("constraints", params["constraints"], f"cannot be met on VM host {driver.address}: {reason}")


class Clock:
    """Time, behind a seam so tests of the power logic need not wait."""

    now = staticmethod(time.monotonic)
    sleep = staticmethod(time.sleep)


def parse(params: dict, driver):
    """The request for the capacity core and the options that decide how the VM is built.

    The driver adds (and validates) what only means something on its hypervisor: libvirt's accelerator and image
    volume, LXD's instance type and image alias.
    """
    request, cloud, host_filter = _parse_pure(params)
    options = {"boot": params["boot"]}
    options.update(driver_options(driver.compose_options, params, host_filter))
    # kept as a digest: user-data may hold secrets, and the options are stored with the VM
    options["cloud_init"] = hashlib.sha256(json.dumps(cloud, sort_keys=True).encode()).hexdigest() if cloud else None
    options["cloud_init_settings"] = cloud
    return request, options


def require_vm_host(driver) -> None:
    if not driver.is_vm_host():
        raise DriverError(
            "not_a_vm_host", f"{driver.address} is not a VM host yet: run vmfleet.hosts.vm_host on it first"
        )


def compose(driver, params: dict, check_mode: bool, clock=Clock) -> dict:
    name = params["name"]
    if params["state"] == "absent":
        return absent(driver, driver.inventory(), name, check_mode)
    request, options = parse(params, driver)
    require_vm_host(driver)
    owner = f"vm_compose {name}"
    if not check_mode:
        unchanged = _unchanged(driver, owner, request, options)  # None as well when there is no such VM yet
        if unchanged is not None:
            return finish(driver, params, unchanged, [], check_mode, clock)
    guard = contextlib.nullcontext() if check_mode else driver.lock(owner, params["lock_timeout"])
    with guard as lock:
        recovered = settle_dead(driver, lock)
        result = compose_locked(driver, lock, driver.inventory(), params, request, options, check_mode)
    return finish(driver, params, result, recovered, check_mode, clock)


def settle_dead(driver, lock) -> list:
    """Right after the lock is taken, before capacity is read: a dead job's volumes must not count against the
    request. Returns what was settled, one line each (empty in check mode, which takes no lock)."""
    if lock is None:
        return []
    reached("lock_taken")
    return compose_records.finish_dead(lock, driver)


def compose_locked(driver, lock, inventory, params, request, options, check_mode) -> dict:
    """Create the VM, or converge the one that exists, on ``inventory`` as read under the lock ``lock`` (None in
    check mode). The power change and the addresses are left to ``finish``, after the lock is released."""
    existing = inventory.domains.get(params["name"])
    if existing is None:
        _refuse_other_host(params, driver, inventory.record)
        return _create(driver, lock, inventory, request, options, check_mode)
    # a VM changed outside the collection is refused, or repaired when asked, before anything else
    settled = settle(
        driver,
        inventory,
        params["name"],
        params.get("repair_drift"),
        check_mode,
        validate=lambda: _update(driver, inventory, existing, request, options, True),
    )
    return report(_update(driver, inventory, existing, request, options, check_mode), settled)


def finish(driver, params, result, recovered, check_mode, clock) -> dict:
    """What comes after the lock: the power change the state asks for, then the VM's addresses."""
    result.update(_power(driver, params["name"], params, result, check_mode, clock))
    result["recovered"] = recovered
    result["addresses"] = read_addresses(driver, params["name"], params, result, check_mode, clock)
    return result


def _unchanged(driver, owner, request, options, inventory=None):
    """The result for a VM already as asked, judged without the compose lock; None when anything is to be done.

    Most runs of a converge find every VM as asked, and the lock costs about ten round trips (take, sweep,
    release through a breaker) that decide nothing then: reading and comparing write nothing, so they need no
    lock. Nor do they need the whole host: the driver's targeted read (``read_vm``) gives this VM's metadata and
    drift alone. ``inventory``, from a caller that read the whole host already, is used instead of that read.
    Anything else (no such VM, a change, drift, a VM not composed by the collection, a dead compose waiting to be
    settled) goes the locked way, which reads the whole host again under the lock.
    """
    name = request["name"]
    if inventory is not None:
        result = as_asked(inventory, request, options)
    else:
        found = driver.read_vm(name)
        result = None if found is None else _judged(found[0], found[1], request, options)
    if result is None or compose_records.pending(driver.lock(owner, 0)):
        return None
    return result


def as_asked(inventory, request, options):
    """The unchanged result when the VM in ``inventory`` is managed, has no drift and is as ``request`` and
    ``options`` ask; None otherwise (the caller goes the locked way). Reads nothing but ``inventory``."""
    existing = inventory.domains.get(request["name"])
    if existing is None:
        return None
    return _judged(existing, _record_vm(inventory, request["name"]), request, options)


def _judged(existing, current, request, options):
    """As as_asked, on the VM's discovered entry and its host-record entry."""
    if not existing["metadata"]["managed"] or existing.get("drift"):
        return None
    if _changes(request["name"], existing["metadata"]["request"], request, public_options(options)):
        return None
    return _result_as_is(current)


def _record_vm(inventory, name):
    return next(vm for vm in inventory.record["vms"] if vm["name"] == name)


def _result_as_is(vm):
    return {"changed": False, "created": False, "restart_required": False, "vm": vm, "diff": {}}


def _as_is(inventory, name):
    return _result_as_is(_record_vm(inventory, name))


# The capacity core is imported where a VM is created or changed (_create, _update): an unchanged run, the run
# every converge pays for every VM, never fits anything, and importing the core is a tenth of its time.


def _create(driver, lock, inventory, request, options, check_mode):
    from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.fit import fit
    from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
    from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.summary import public_alloc

    driver.check_image(request, options)  # refused before anything is made
    refuse_missing_default_pool(driver.stored_policy(), inventory.record, request["disks"])
    alloc = fit(parse_host(inventory.record), request)  # a CapacityError here means nothing was touched
    plan = driver.plan_new(inventory, alloc, request, options)
    if not check_mode:
        _carry_out(driver, lock, request["name"], plan)
    vm = public_alloc(alloc)
    vm["planned"] = False
    for nic, rendered in zip(vm["interfaces"], plan.interfaces):
        nic["mac"] = rendered["mac"]  # the stable MAC the domain really has
    return {
        "changed": True,
        "created": True,
        "restart_required": False,
        "vm": vm,
        "volumes": plan.owned_volumes,
        "diff": {"before": {}, "after": desired_state(request, public_options(options))},
    }


def _carry_out(driver, lock, name, plan):
    """Make the plan's VM inside a compose record, so a job that dies half-way is undone by the next one."""
    driver.check_new_volumes(plan)  # every volume the record names is then this job's own
    record = compose_records.begin(lock, name, plan.new_volumes)
    reached("record_written")
    try:
        driver.create(plan, reached)
    except DriverError as error:
        if error.left:
            _undo_again(driver, lock, name, error, record)
        compose_records.end(lock, record)
        raise
    compose_records.end(lock, record)


def _undo_again(driver, lock, name, error, record):
    """The driver's rollback failed (its daemon restarted under it, as a rule): reconnect and try once more.

    Raises the compose's own failure either way, saying whether what it made is gone or where it is recorded.
    """
    try:
        reopened = driver.reconnect()
        driver.remove_vm(name, error.left)
        compose_records.end(lock, record)
    except DriverError as again:
        raise DriverError(
            error.kind,
            f"{error.message}; a second try failed too ({again.message}): what is left is recorded in "
            f"{lock.describe(record)}, and the next vm_compose on this host removes it",
        ) from None
    how = "over a new connection" if reopened else "on a second try"
    raise DriverError(error.kind, f"{error.message}; what was made is now removed ({how})") from None


def _refuse(key, value, reason):
    raise SpecError(key, value, reason)


def _changes(name, stored, request, options):
    """The request keys that differ from what the VM was composed with; refuses the ones that cannot change."""
    if stored is None:
        raise DriverError(
            "hypervisor",
            f"VM {name!r} exists but was not composed by vmfleet.hosts; vm_compose does not change it "
            f"(state: absent removes it)",
        )
    for key, value in options.items():
        if stored["options"].get(key, OPTION_DEFAULTS.get(key)) != value:
            _refuse(key, value, f"differs from the VM's ({stored['options'].get(key)!r}) and cannot change in place")
    changed = [key for key in request if stored["request"].get(key) != request[key]]
    for key in changed:
        if key not in CHANGEABLE:
            _refuse(
                key,
                request[key],
                f"differs from the VM's ({stored['request'].get(key)!r}); only {', '.join(CHANGEABLE)} change in "
                f"place; remove the VM (state: absent) and compose it again",
            )
    return changed


def _disk_growth(stored, request):
    old, new = stored["request"]["disks"], request["disks"]
    if [(d["name"], d["pool"], d["tags"]) for d in old] != [(d["name"], d["pool"], d["tags"]) for d in new]:
        _refuse("disks", request["disks"], "adds, removes, renames or moves disks; only growing a disk is in place")
    growth = []
    for index, (before, after) in enumerate(zip(old, new)):
        if after["size"] < before["size"]:
            _refuse(
                f"disks[{index}].size",
                after["size"],
                f"would shrink disk {after['name']!r} from {before['size']} bytes; disks only grow",
            )
        if after["size"] > before["size"]:
            growth.append((before, after))
    return growth


def _update(driver, inventory, existing, request, options, check_mode):
    from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.resize import resize

    name = request["name"]
    stored = existing["metadata"]["request"] if existing["metadata"]["managed"] else None
    options = public_options(options)
    changed = _changes(name, stored, request, options)
    if not changed:
        return _as_is(inventory, name)
    current = _record_vm(inventory, name)
    resized = "cores" in changed or "memory" in changed
    numa_bound = bool(current["pinned_cores"] or current["hugepages_backed"])
    growth = _disk_growth(stored, request) if "disks" in changed else []
    volumes = {v["name"]: v for v in _volumes_of(existing)}
    grown_disks = [
        {"name": after["name"], "size": after["size"] - before["size"], "pool": volumes[_vol(name, before)]["pool"]}
        for before, after in growth
    ]
    alloc = resize(inventory.record, name, request, grown_disks)  # a CapacityError here means nothing changed
    alloc["interfaces"] = existing["interfaces"]
    plan = driver.plan_update(inventory, alloc, request, options, list(volumes.values()), existing["uuid"])
    restart_required = False
    if not check_mode:
        # The definition carries the request it was made from, so it is written last: if growing a disk fails,
        # the next run still sees the old request and tries again.
        for before, after in growth:
            vol = volumes[_vol(name, before)]
            driver.grow_volume(name, vol["pool"], vol["name"], after["size"], vol["target"])
        driver.redefine(plan)
        if resized and numa_bound:
            restart_required = driver.placement_needs_restart(name)  # libvirt: new pinning and pages at next start
        elif resized:
            restart_required = not driver.live_resize(name, request["cores"], request["memory"])
    elif resized and existing["power_state"] == "running":
        restart_required = True  # check mode cannot try the hot change; it says a restart may be needed
    vm = {key: value for key, value in alloc.items() if key != "memory_by_node"}
    vm["interfaces"] = current["interfaces"]
    return {
        "changed": True,
        "created": False,
        "restart_required": restart_required,
        "vm": vm,
        "diff": {"before": stored, "after": desired_state(request, options)},
    }


def _vol(vm, disk):
    return f"{vm}-{disk['name']}"


def _volumes_of(existing):
    """The VM's own volumes with the guest device each is attached as."""
    targets = {(d["pool"], d["volume"]): d for d in existing["disks"]}
    volumes = []
    for vol in existing["metadata"]["volumes"]:
        disk = targets.get((vol["pool"], vol["name"]), {})
        volumes.append(
            {
                "pool": vol["pool"],
                "name": vol["name"],
                "target": disk.get("name", "vda"),
                "format": disk.get("format") or "qcow2",
            }
        )
    return volumes


def _power(driver, name, params, result, check_mode, clock):
    # a new VM is defined shut off (in check mode it would be, and does not exist to ask)
    running = False if result["created"] else driver.is_running(name)
    action = ACTIONS.get(params["state"])
    if result["restart_required"] and running and params["allow_restart"] and action is None:
        action = "restart"
    needed = (action == "start" and not running) or (action == "stop" and running) or action == "restart"
    if not needed:
        result["vm"]["power_state"] = "running" if running else "stopped"
        return {"power_state": result["vm"]["power_state"]}
    if check_mode:
        result["vm"]["power_state"] = "stopped" if action == "stop" else "running"
        return {"changed": True, "power_state": result["vm"]["power_state"]}
    try:
        report = driver.power(name, action, params["shutdown_timeout"], clock)
    except DriverError:
        if result["created"]:
            driver.remove_vm(name, result["volumes"])  # a VM that never started is not left half-made
        raise
    result["vm"]["power_state"] = "stopped" if action == "stop" else "running"
    return {
        "changed": True,
        "restart_required": False if action == "restart" else result["restart_required"],
        "power_state": result["vm"]["power_state"],
        "forced_off": report["forced_off"],
    }


def absent(driver, inventory, name, check_mode):
    """Remove VM ``name`` as ``inventory`` shows it (only its own volumes, those the collection composed)."""
    existing = inventory.domains.get(name)
    if existing is None:
        return {"changed": False, "removed_volumes": [], "diff": {}}
    volumes = existing["metadata"]["volumes"] if existing["metadata"]["managed"] else []
    removed = [f"{v['pool']}/{v['name']}" for v in volumes]
    if not check_mode:
        removed = driver.remove_vm(name, volumes)
    return {
        "changed": True,
        "removed_volumes": removed,
        "diff": {"before": existing["metadata"]["request"] or {"name": name}, "after": {}},
    }
