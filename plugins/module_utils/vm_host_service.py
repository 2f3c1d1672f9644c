# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``vm_host`` does, between its options and a driver: decide what changes, honour check mode, report.

Kept out of the module file so the module stays a thin shell and this logic can run against any driver.
"""

from __future__ import annotations

import os

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_spec import LXD_FAMILY
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.stored_policy import CORRUPT
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.host_policy import merge_policy, parse_policy


def _over_policy(record: dict) -> list:
    """Warnings when the VMs already on the host take more than the policy allows (nothing is removed)."""
    state = parse_host(record)
    warnings = []
    if state.free_vcpus < 0:
        warnings.append(
            f"the VMs on {state.name} take {state.vcpus_used} vCPUs, more than the {state.vcpu_budget} this policy "
            f"allows; no new VM fits until some are removed"
        )
    if state.free_general < 0:
        warnings.append(
            f"the VMs on {state.name} take {state.general_used} MiB of general memory, more than the "
            f"{state.general_budget} MiB this policy allows; no new VM fits until some are removed"
        )
    return warnings


# Where a dir pool made by create_default_storage_pool goes when no path is given; LXD chooses its own.
DEFAULT_POOL_PATHS = {"libvirt": "/var/lib/libvirt/images"}


def check_options(pool_path, policy_options: dict) -> None:
    """Refuses, before the host is contacted, what can be judged without it: the policy options, and a pool
    path that is not absolute (libvirtd and LXD would take it relative to their own working directory)."""
    if pool_path is not None and not os.path.isabs(pool_path):
        raise SpecError(
            "default_storage_pool_path", pool_path, "is not an absolute path; give the directory from / (e.g. /srv/vms)"
        )
    parse_policy(policy_options)


def _stored(driver, force: bool):
    """(policy, None), or with ``force`` (None, its text) for a stored policy that cannot be read: the task's
    policy then replaces it (present) or it is removed (absent), and the diff shows what was there."""
    try:
        return driver.stored_policy(), None
    except DriverError as error:
        if error.kind != CORRUPT or not force:
            raise
        return None, driver.stored_policy_text() or ""


def _refuse_reserve_beyond_host(policy: dict, record: dict, given: dict) -> None:
    """A reserve larger than the host itself leaves no VM any room and is a typo; refused before any change."""
    state = parse_host(record)
    stored = "" if given.get("reserved") else " (kept from the stored policy)"
    for key, has, unit in (("cores", state.online_cores, "online cores"), ("memory", state.memory_total, "MiB")):
        asked = policy["reserved"][key]
        if asked > has:
            raise SpecError(
                f"reserved.{key}",
                asked,
                f"{'MiB ' if key == 'memory' else ''}is more than the {has} {unit} host {state.name} has{stored}; "
                f"reserve at most {has} (nothing was written)",
            )


def _project_to_create(driver, create_project: bool) -> bool:
    """Whether the host's project must be created first (LXD); refuses a missing one without create_project.

    libvirt has no projects, so create_project is refused there rather than silently ignored.
    """
    if driver.type not in LXD_FAMILY:
        if create_project:
            raise SpecError("create_project", True, f"only applies to LXD hosts; {driver.address} is a libvirt host")
        return False
    if driver.project_exists():
        return False
    if not create_project:
        raise SpecError(
            "project",
            driver.project,
            f"does not exist on {driver.address}; set create_project: true to create it, or name an existing one",
        )
    return True


def present(
    driver,
    options: dict,
    create_pool: bool,
    pool_path,
    check_mode: bool,
    create_project: bool = False,
    force: bool = False,
) -> dict:
    new_project = _project_to_create(driver, create_project)
    stored, corrupt = (None, None) if new_project else _stored(driver, force)
    new = merge_policy(stored, parse_policy(options))
    pools = driver.storage_pool_names()
    name = new["default_storage_pool"]
    create = bool(name) and name not in pools
    pool_path = pool_path or DEFAULT_POOL_PATHS.get(driver.type)
    if create and not create_pool:
        where = f"at {pool_path}" if pool_path else "where LXD keeps its pools"
        kept = "" if "default_storage_pool" in parse_policy(options) else " (kept from the stored policy)"
        raise SpecError(
            "default_storage_pool",
            name,
            f"is not a storage pool on the host{kept} (pools: {', '.join(pools) or 'none'}); create it first, set "
            f"create_default_storage_pool: true to create a dir pool {where}, or give another default_storage_pool",
        )
    # refuses declared networks the host does not have, before any change
    inventory = driver.inventory(new, empty_project=True) if new_project else driver.inventory(new)
    _refuse_reserve_beyond_host(new, inventory.record, options)
    changed = new_project or corrupt is not None or stored != new or create or not driver.is_vm_host()
    if changed and not check_mode:
        if new_project:
            driver.create_project()
        if create:
            driver.create_dir_pool(name, pool_path)
        driver.store_policy(new)
        inventory = driver.inventory(new)
    return {
        "changed": changed,
        "policy": new,
        "record": inventory.record,
        "project_created": new_project,
        "diff": {"before": (stored or {}) if corrupt is None else corrupt, "after": new},
        "warnings": list(getattr(inventory, "warnings", [])) + _replaced(corrupt) + _over_policy(inventory.record),
    }


def _replaced(corrupt) -> list:
    if corrupt is None:
        return []
    return ["the stored policy could not be read and was replaced because of force: true (the diff shows it)"]


def absent(driver, remove_vms: bool, check_mode: bool, force: bool = False) -> dict:
    if driver.type in LXD_FAMILY and not driver.project_exists():
        # no project, so no policy and no instances: already absent (the project is never created for this)
        return {"changed": False, "host": {}, "removed_vms": [], "diff": {"before": {}, "after": {}}}
    stored, corrupt = _stored(driver, force)
    # a corrupt policy has no ratios to read the host with; removing VMs needs none
    domains = driver.inventory(merge_policy(None, {}) if corrupt is not None else None).domains
    doomed = sorted(name for name, vm in domains.items() if vm["metadata"]["managed"]) if remove_vms else []
    changed = driver.is_vm_host() or bool(doomed)
    if changed and not check_mode:
        for name in doomed:
            driver.remove_vm(name, domains[name]["metadata"]["volumes"])
        driver.remove_policy()
    return {
        "changed": changed,
        "host": {},
        "removed_vms": doomed,
        "diff": {"before": (stored or {}) if corrupt is None else corrupt, "after": {}},
    }
