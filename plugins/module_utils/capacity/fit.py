# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fit one VM request on one host: a full placement or one CapacityError.

The checks run in a fixed order (vCPUs, general memory, pinned cores, hugepages, NUMA, storage, network, SR-IOV)
so that the first failing resource is the one reported, and placement can tell which host came closest.
Nothing here changes the host; ``HostState.commit`` does that once a placement is accepted.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity import numa
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.nics import choose_interfaces
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.storage import choose_pools
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.units import format_bytes
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.vm_entry import vm_entry

MIB = 1024 * 1024
STAGE_CPU, STAGE_MEMORY = 1, 2


def check_vcpus(state, cores: int) -> None:
    """Rule 1."""
    if cores > state.free_vcpus:
        raise CapacityError(
            state.name,
            "cpu",
            f"CPU overcommit ratio is {state.cpu_ratio} and there are {max(state.free_vcpus, 0)} available resources; "
            f"{cores} requested.",
            allowed=state.vcpu_budget,
            free=state.free_vcpus,
            requested=cores,
            stage=STAGE_CPU,
        )


def check_general_memory(state, memory: int) -> None:
    """Rule 3 (hugepage-backed VMs take pages instead, rule 4)."""
    if memory > state.free_general:
        raise CapacityError(
            state.name,
            "memory",
            f"Memory overcommit ratio is {state.memory_ratio} and there are {max(state.free_general, 0)} MiB "
            f"available resources; {memory} MiB requested.",
            allowed=state.general_budget,
            free=state.free_general,
            requested=memory,
            stage=STAGE_MEMORY,
        )


def _page_sizes(state, request):
    memory = request["memory"] * MIB
    host_sizes = state.page_sizes()
    listed = ", ".join(format_bytes(s) for s in host_sizes) or "none"
    if request["hugepage_size"]:
        size = request["hugepage_size"]
        if size not in host_sizes:
            raise CapacityError(
                state.name,
                "hugepages",
                f"no {format_bytes(size)} hugepages are reserved on the host (reserved page sizes: {listed}).",
                requested=request["memory"],
                free=0,
                stage=numa.STAGE_HUGEPAGES,
            )
        sizes = [size]
    else:
        sizes = host_sizes
    sizes = [s for s in sizes if memory % s == 0]
    if not sizes:
        raise CapacityError(
            state.name,
            "hugepages",
            f"memory {request['memory']} MiB is not a whole number of "
            f"{format_bytes(request['hugepage_size']) if request['hugepage_size'] else 'any reserved'} hugepages "
            f"(reserved page sizes: {listed}).",
            requested=request["memory"],
            stage=numa.STAGE_HUGEPAGES,
        )
    return sizes


def _check_pin_total(state, cores):
    free = sum(len(state.free_cpus(node)) for node in state.nodes)
    if cores > free:
        raise CapacityError(
            state.name,
            "pinned_cores",
            f"there are {free} cores free to pin; {cores} requested (pinned cores are never overcommitted).",
            free=free,
            requested=cores,
            stage=numa.STAGE_PINNED,
        )


def _check_pages_total(state, request, sizes):
    best = 0
    for size in sizes:
        free = sum(max(0, state.free_pages(node, size)) for node in state.nodes) * size // MIB
        if free >= request["memory"]:
            return
        best = max(best, free)
    kinds = ", ".join(format_bytes(s) for s in sizes)
    raise CapacityError(
        state.name,
        "hugepages",
        f"there are {best} MiB of free {kinds} hugepages; {request['memory']} MiB requested "
        f"(hugepages are never overcommitted).",
        free=best,
        requested=request["memory"],
        stage=numa.STAGE_HUGEPAGES,
    )


def _vf_nodes(state, request):
    """NUMA nodes of host NICs with a free VF, when the request wants SR-IOV: rule 7 prefers a local VF."""
    if not any(nic["mode"] == "sriov" for nic in request["interfaces"]):
        return ()
    return {i.numa_node for i in state.interfaces if i.free_vf > 0 and i.numa_node is not None}


def place_numa(state, request):
    """Pinned cores, hugepages per node and bound memory for VMs that need NUMA placement."""
    prefer = _vf_nodes(state, request)
    explicit = request["pinned_cores"] if isinstance(request["pinned_cores"], list) else None
    pin = request["cores"] if request["pinned_cores"] and explicit is None else 0
    strict = request["numa_strict"]
    if explicit is not None:
        numa.check_explicit_cores(state, explicit)
    elif pin:
        _check_pin_total(state, pin)
    if not request["hugepages_backed"]:
        need = numa.Need(pin, 0, None, request["memory"])
        if explicit is not None:
            return numa.place_explicit(state, need, explicit, strict)
        return numa.place_auto(state, need, strict, prefer)

    sizes = _page_sizes(state, request)
    _check_pages_total(state, request, sizes)
    needs = [numa.Need(pin, request["memory"] * MIB // size, size, 0) for size in sizes]
    if explicit is not None:
        error = None
        for need in needs:
            try:
                return numa.place_explicit(state, need, explicit, strict)
            except CapacityError as exc:
                error = error or exc
        raise error
    # One node with any page size beats spanning with the preferred (largest) size.
    for need in needs:
        node = numa.best_single_node(state, need, prefer)
        if node is not None:
            return numa.split(state, need, [node])
    best = None
    if not strict:
        for need in needs:
            nodes = numa.fewest_nodes(state, need)
            if nodes is not None and (best is None or len(nodes) < len(best[1])):
                best = (need, nodes)
    if best is not None:
        return numa.split(state, best[0], best[1])
    return numa.place_auto(state, needs[0], strict)  # raises the NUMA error with the per-node figures


def fit(state, request: dict) -> dict:
    """Return the allocation ``request`` would get on ``state`` or raise CapacityError."""
    check_vcpus(state, request["cores"])
    if not request["hugepages_backed"]:
        check_general_memory(state, request["memory"])
    pinned, hugepages, memory_by_node = [], [], {}
    if request["pinned_cores"] or request["hugepages_backed"]:
        pinned, hugepages, memory_by_node = place_numa(state, request)
    numanode_set = sorted(
        {state.cpus[c].node for c in pinned} | {h["node_id"] for h in hugepages} | set(memory_by_node)
    )
    disks = choose_pools(state, request["disks"])
    interfaces = choose_interfaces(state, request["interfaces"], numanode_set)
    notes = []
    if len(numanode_set) > 1:
        notes.append(f"spans NUMA nodes {numanode_set}: no single node could hold it")
    vf_nodes = {i.name: i.numa_node for i in state.interfaces}
    for nic in interfaces:
        node = vf_nodes.get(nic["host_interface"])
        if nic["vf"] and numanode_set and node is not None and node not in numanode_set:
            notes.append(
                f"NIC {nic['name']} gets a VF of {nic['host_interface']} on NUMA node {node}, "
                f"not on the VM's node(s) {numanode_set}: no local VF was free"
            )
    alloc = vm_entry(
        request["name"],
        state.name,
        request["cores"],
        request["memory"],
        pinned_cores=pinned,
        hugepages_backed=request["hugepages_backed"],
        hugepages=hugepages,
        numanode_set=numanode_set,
        disks=disks,
        interfaces=interfaces,
        pool=request.get("pool") or state.pool,
        tags=request.get("tags") or [],
        planned=True,
        notes=notes,
    )
    alloc["memory_by_node"] = memory_by_node
    return alloc
