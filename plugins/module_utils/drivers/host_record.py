# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host record a driver's discovery returns (docs/host_record.md), assembled in one place for every driver.

A driver reads its hypervisor into NUMA nodes, pools, interfaces and VM entries (capacity/vm_entry.py); this joins
them with the policy the host is read under, so every hypervisor's record has the same keys.
"""

from __future__ import annotations

# What an interface shows in the record (the readers keep more, such as the VFs' PCI addresses, for themselves)
INTERFACE_KEYS = (
    "name",
    "type",
    "numa_node",
    "default",
    "sriov_max_vf",
    "sriov_used_vf",
    "networks",
    "vlans",
    "subnets",
    "spaces",
    "forward_mode",
    "bridge",
    "dhcp",
    "dhcp_ranges",
    "active",
)


def host_record(
    name: str, host_type: str, hardware_id, policy: dict, numa: list, pools: list, interfaces: list, vms: list
) -> dict:
    """The record of host ``name`` (``host_type``: the driver's type) under ``policy`` (a merged policy).

    ``hardware_id`` names the machine behind the host (hosts with the same one share hardware), None when the
    hypervisor does not say.

    Marks each of ``pools`` as the default or not (in place: the drivers' pool entries are the record's), and keeps
    only the documented keys of ``interfaces``. The policy's default pool is named only when the host has it.
    """
    default_pool = policy.get("default_storage_pool")
    for pool in pools:
        pool["default"] = pool["name"] == default_pool
    return {
        "name": name,
        "type": host_type,
        "hardware_id": hardware_id,
        "pool": policy["pool"],
        "zone": policy["zone"],
        "tags": list(policy["tags"]),
        "cpu_over_commit_ratio": policy["cpu_over_commit_ratio"],
        "memory_over_commit_ratio": policy["memory_over_commit_ratio"],
        "reserved": dict(policy["reserved"]),
        "default_storage_pool": default_pool if any(p["name"] == default_pool for p in pools) else None,
        "numa": numa,
        "storage_pools": pools,
        "interfaces": [{key: i.get(key) for key in INTERFACE_KEYS} for i in interfaces],
        "vms": vms,
    }
