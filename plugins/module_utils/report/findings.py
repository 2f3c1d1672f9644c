# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a capacity report warns about, found in the facts the capacity core computed.

A host can be past its policy although the collection never puts it there: VMs made outside the collection
(virsh, lxc, another project) count against the host when discovery finds them. Pools nearly full and exhausted
SR-IOV VFs are where the next compose will fail; a NIC on another NUMA node than its VM's cores, and a VM over
several nodes, cost latency on every packet and memory access.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.report import formats as fmt

# kinds, with their severity: "critical" is broken now, "warning" breaks the next compose or costs performance
KINDS = {
    "over_policy": "critical",
    "pool_nearly_full": "warning",
    "vfs_exhausted": "warning",
    "nic_numa_mismatch": "warning",
    "vm_spans_numa_nodes": "notice",
    "unplaced": "warning",
}
_ORDER = {"critical": 0, "warning": 1, "notice": 2}


def finding(kind, host, subject, message, vm=None, **figures):
    return {
        "kind": kind,
        "severity": KINDS[kind],
        "host": host,
        "vm": vm,
        "subject": subject,
        "message": message,
        "figures": figures,
    }


def _over_policy(state, facts, owners):
    found = []
    for resource in facts["resources"]:
        if not resource["over"]:
            continue
        if resource["key"] == "vcpus":
            rule = f"floor({resource['physical']} cores x {resource['ratio']:g}) - {resource['reserved']} reserved"
        elif resource["key"] == "memory":
            rule = (
                f"({fmt.mib(state.memory_total)} - {fmt.mib(state.hugepage_pool)} hugepages - "
                f"{fmt.mib(resource['reserved'])} reserved) x {resource['ratio']:g}"
            )
        else:
            rule = "hugepages are never overcommitted"
        found.append(
            finding(
                "over_policy",
                facts["name"],
                resource["key"],
                f"{resource['label']}: {fmt.amount(resource, resource['used'])} used, the policy allows "
                f"{fmt.amount(resource, resource['allowed'])} ({rule}).",
                resource=resource["key"],
                used=resource["used"],
                allowed=resource["allowed"],
            )
        )
    for node in facts["numa"]:
        for pages in node["hugepages"]:
            if pages["free"] < 0:
                found.append(
                    finding(
                        "over_policy",
                        facts["name"],
                        f"hugepages node {node['node_id']}",
                        f"NUMA node {node['node_id']}: {pages['allocated']} {fmt.page(pages['page_size'])} "
                        f"hugepages given to VMs, the node has {pages['total']}.",
                        resource="hugepages",
                        node_id=node["node_id"],
                        used=pages["allocated"],
                        allowed=pages["total"],
                    )
                )
    for cpu, vms in sorted(owners.items()):
        if len(vms) > 1:
            found.append(
                finding(
                    "over_policy",
                    facts["name"],
                    f"core {cpu}",
                    f"core {cpu} is pinned by {len(vms)} VMs ({', '.join(vms)}); a core is pinned by one VM at most.",
                    resource="pinned_cores",
                    core=cpu,
                    vms=vms,
                )
            )
    for pool in facts["storage_pools"]:
        if pool["over"]:
            found.append(
                finding(
                    "over_policy",
                    facts["name"],
                    f"pool {pool['name']}",
                    f"storage pool {pool['name']}: {fmt.size(pool['used'])} used of {fmt.size(pool['total'])}, "
                    f"{fmt.size(-pool['available'])} more than it holds (storage is not overcommitted).",
                    resource="storage",
                    pool=pool["name"],
                    used=pool["used"],
                    allowed=pool["total"],
                )
            )
    return found


def _pools_nearly_full(facts, threshold):
    found = []
    for pool in facts["storage_pools"]:
        if pool["over"] or not pool["active"] or pool["percent"] is None or pool["percent"] < threshold:
            continue
        found.append(
            finding(
                "pool_nearly_full",
                facts["name"],
                f"pool {pool['name']}",
                f"storage pool {pool['name']} is {pool['percent']:g}% full ({fmt.size(pool['used'])} of "
                f"{fmt.size(pool['total'])}, {fmt.size(pool['available'])} free; threshold {threshold:g}%).",
                pool=pool["name"],
                percent=pool["percent"],
                threshold=threshold,
                available=pool["available"],
            )
        )
    return found


def _vfs_exhausted(facts):
    found = []
    for iface in facts["interfaces"]:
        if iface["sriov_max_vf"] > 0 and iface["sriov_used_vf"] >= iface["sriov_max_vf"]:
            node = "" if iface["numa_node"] is None else f" on NUMA node {iface['numa_node']}"
            found.append(
                finding(
                    "vfs_exhausted",
                    facts["name"],
                    f"interface {iface['name']}",
                    f"interface {iface['name']}{node} has no free SR-IOV VF ({iface['sriov_used_vf']} of "
                    f"{iface['sriov_max_vf']} used); the next sriov NIC fails here.",
                    interface=iface["name"],
                    used=iface["sriov_used_vf"],
                    max=iface["sriov_max_vf"],
                )
            )
    return found


def _vm_numa(facts):
    found = []
    for vm in facts["vms"]:
        nodes = vm["numanode_set"]
        if vm["spans_numa_nodes"]:
            found.append(
                finding(
                    "vm_spans_numa_nodes",
                    facts["name"],
                    f"VM {vm['name']}",
                    f"VM {vm['name']} spans NUMA nodes {', '.join(map(str, nodes))}"
                    + (f" (pinned cores {vm['pinned_cpuset']})" if vm["pinned_cpuset"] else "")
                    + ": its memory accesses cross the interconnect.",
                    vm=vm["name"],
                    nodes=nodes,
                )
            )
        if not nodes:
            continue  # a VM bound to no node has no side a NIC could be on
        for nic in vm["interfaces"]:
            if nic["numa_node"] is None or nic["numa_node"] in nodes:
                continue
            via = f"a VF of {nic['host_interface']}" if nic["vf"] else nic["host_interface"]
            cores = f" ({vm['pinned_cpuset']})" if vm["pinned_cpuset"] else ""
            found.append(
                finding(
                    "nic_numa_mismatch",
                    facts["name"],
                    f"VM {vm['name']} NIC {nic['name']}",
                    f"VM {vm['name']}'s NIC {nic['name']} uses {via} on NUMA node {nic['numa_node']}, but its cores "
                    f"are on node {', '.join(map(str, nodes))}{cores}.",
                    vm=vm["name"],
                    nic=nic["name"],
                    interface=nic["host_interface"],
                    nic_node=nic["numa_node"],
                    vm_nodes=nodes,
                )
            )
    return found


def host_findings(state, facts, owners, pool_full_percent):
    found = (
        _over_policy(state, facts, owners)
        + _pools_nearly_full(facts, pool_full_percent)
        + _vfs_exhausted(facts)
        + _vm_numa(facts)
    )
    return sorted(found, key=lambda f: _ORDER[f["severity"]])


def plan_findings(hosts_after, unplaced):
    """Findings the plan would add: its requests that fit nowhere and its placements' NUMA remarks."""
    found = [
        finding(
            "unplaced",
            u["closest_host"],
            f"request {u['name']}",
            f"request {u['name']} fits nowhere: {u['reason']}",
            vm=u["name"],
            resource=u["resource"],
        )
        for u in unplaced
    ]
    for host in hosts_after:
        planned = {v["name"] for v in host["vms"] if v["planned"]}
        found += [f for f in _vm_numa(host) if f["vm"] in planned]
    return found
