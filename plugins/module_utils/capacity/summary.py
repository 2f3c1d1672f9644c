# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host record as modules return it: the input record with MAAS-shaped computed blocks filled in.

``total`` is what the host has, ``used`` what its VMs take, ``available`` what the policy still allows
(after overcommit ratios, reserved resources and the hugepage pool), as MAAS reported for its VM hosts.
Memory is MiB, storage bytes, page sizes bytes.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity import policy
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import MIB, parse_host

_INTERNAL = ("memory_by_node",)


def public_alloc(alloc: dict) -> dict:
    """A VM allocation without the bookkeeping fields the core keeps for itself."""
    out = {k: v for k, v in alloc.items() if k not in _INTERNAL}
    out.setdefault("notes", [])
    out.setdefault("drift", [])
    return out


def _node_block(state, node):
    pinned = [c for c in node.cpus if c in state.pinned]
    # what VMs bound to this node may take: its non-hugepage memory under the memory ratio (as rule 5 checks it)
    general_total = policy.scaled(max(0, node.memory - node.hugepage_pool), state.memory_ratio)
    bound = state.bound_general.get(node.node_id, 0)
    vms = sorted({vm["name"] for vm in state.vms if node.node_id in vm["numanode_set"]})
    return {
        "node_id": node.node_id,
        "cpus": [
            {
                "id": cpu.id,
                "core": cpu.core,
                "socket": cpu.socket,
                "siblings": list(cpu.siblings),
                "online": cpu.online,
                "isolated": cpu.isolated,
            }
            for cpu in node.all_cpus
        ],
        "cores": {"free": [c for c in node.cpus if c not in state.pinned], "allocated": pinned},
        "memory": {
            "total": node.memory,
            "general": {"total": general_total, "allocated": bound, "free": max(0, state.node_general_free(node))},
            "hugepages": [
                {
                    "page_size": size,
                    "total": count,
                    "allocated": state.pages_used.get((node.node_id, size), 0),
                    "free": state.free_pages(node, size),
                }
                for size, count in sorted(node.pages.items())
            ],
        },
        "vms": vms,
    }


def _capacity_blocks(state) -> dict:
    """MAAS's total / used / available blocks of a host."""
    pools = list(state.pools.values())
    hugepages_used = sum(size * count for (_node, size), count in state.pages_used.items()) // MIB
    storage_used = sum(p.used + p.planned for p in pools)
    return {
        "total": {
            "cores": state.online_cores,
            "memory": state.memory_total,
            "local_storage": sum(p.total for p in pools),
            "vcpus": state.vcpu_budget,
            "hugepages": state.hugepage_pool,
        },
        "used": {
            "cores": state.vcpus_used,
            "memory": state.general_used,
            "local_storage": storage_used,
            "vcpus": state.vcpus_used,
            "hugepages": hugepages_used,
        },
        "available": {
            "cores": max(0, state.free_vcpus),
            "memory": max(0, state.free_general),
            "local_storage": sum(max(0, p.free) for p in pools),
            "vcpus": max(0, state.free_vcpus),
            "hugepages": state.hugepage_pool - hugepages_used,
        },
    }


def host_remaining(state) -> dict:
    """What a host has left after a plan, in a few figures (vm_plan's compact result, RV(remaining)).

    The whole record (every cpu, pool, interface and VM) is what a later plan needs as input; a playbook that
    only asks "how full is each host" needs these, and at fleet scale they are a small fraction of the size.
    """
    return {
        "name": state.name,
        "pool": state.pool,
        "zone": state.zone,
        **_capacity_blocks(state),
        "vms": len(state.vms),
        "planned_vms": sum(1 for vm in state.vms if vm.get("planned")),
        "numa": [
            {
                "node_id": node.node_id,
                "free_cores": len(state.free_cpus(node)),
                "free_memory": max(0, state.node_general_free(node)),
                "hugepages": [
                    {"page_size": size, "total": count, "free": state.free_pages(node, size)}
                    for size, count in sorted(node.pages.items())
                ],
            }
            for node in state.nodes
        ],
        "storage_pools": [{"name": p.name, "available": p.free} for p in state.pools.values()],
        "interfaces": [
            {"name": i.name, "sriov_free_vf": max(0, i.free_vf)} for i in state.interfaces if i.sriov_max_vf
        ],
    }


def host_record(state) -> dict:
    pools = list(state.pools.values())
    default = state.default_pool()
    record = dict(state.record)
    record.update(
        {
            "name": state.name,
            "type": state.record.get("type") or "manual",
            "hardware_id": state.record.get("hardware_id"),
            "pool": state.pool,
            "zone": state.zone,
            "tags": list(state.tags),
            "cpu_over_commit_ratio": state.cpu_ratio,
            "memory_over_commit_ratio": state.memory_ratio,
            "reserved": {"cores": state.reserved_cores, "memory": state.reserved_memory},
            "default_storage_pool": default.name if default else None,
            "numa": [_node_block(state, node) for node in state.nodes],
            "storage_pools": [
                {
                    "name": p.name,
                    "type": p.type,
                    "path": p.path,
                    "total": p.total,
                    "used": p.used + p.planned,
                    "available": p.free,
                    "default": p is default,
                    "tags": list(p.tags),
                    "active": p.active,
                }
                for p in pools
            ],
            "interfaces": [
                {
                    "name": i.name,
                    "type": i.type,
                    "numa_node": i.numa_node,
                    "default": i.default,
                    "sriov_max_vf": i.sriov_max_vf,
                    "sriov_used_vf": i.sriov_used_vf + i.planned_vf,
                    "networks": list(i.networks),
                    "vlans": list(i.vlans),
                    "subnets": [str(s) for s in i.subnets],
                    "spaces": list(i.spaces),
                    "forward_mode": i.forward_mode,
                    "bridge": i.bridge,
                    "dhcp": i.dhcp,
                    "dhcp_ranges": list(i.dhcp_ranges),
                    "active": i.active,
                }
                for i in state.interfaces
            ],
            "vms": [public_alloc(vm) for vm in state.vms],
            **_capacity_blocks(state),
        }
    )
    return record


def describe(record: dict) -> dict:
    """A discovered record with its computed blocks, as vm_host and vm_host_info return it."""
    return host_record(parse_host(record))
