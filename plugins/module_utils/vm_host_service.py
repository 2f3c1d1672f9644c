# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``vm_host`` does, between its options and a driver: decide what changes, honour check mode, report.

Kept out of the module file so the module stays a thin shell and this logic can run against any driver.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
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


def present(driver, options: dict, create_pool: bool, pool_path: str, check_mode: bool) -> dict:
    stored = driver.stored_policy()
    new = merge_policy(stored, parse_policy(options))
    pools = driver.storage_pool_names()
    name = new["default_storage_pool"]
    create = bool(name) and name not in pools
    if create and not create_pool:
        raise SpecError(
            "default_storage_pool",
            name,
            f"is not a storage pool on the host (pools: {', '.join(pools) or 'none'}); create it first or set "
            f"create_default_storage_pool: true to create a dir pool at {pool_path}",
        )
    inventory = driver.inventory(new)  # refuses declared networks the host does not have, before any change
    changed = stored != new or create or not driver.is_vm_host()
    if changed and not check_mode:
        if create:
            driver.create_dir_pool(name, pool_path)
        driver.store_policy(new)
        inventory = driver.inventory(new)
    return {
        "changed": changed,
        "policy": new,
        "record": inventory.record,
        "diff": {"before": stored or {}, "after": new},
        "warnings": _over_policy(inventory.record),
    }


def absent(driver, remove_vms: bool, check_mode: bool) -> dict:
    stored = driver.stored_policy()
    domains = driver.inventory().domains
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
        "diff": {"before": stored or {}, "after": {}},
    }
