# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""NUMA placement of VMs that pin cores or use hugepages (rules 2, 4 and 5).

One node when one can hold the VM (best fit: the node left with the least room, so big holes stay for big VMs);
otherwise the fewest nodes, found greedily from the roomiest; a ``numa_strict`` request fails instead of spanning.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.pinning import choose_cores
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.units import format_bytes
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.cores import format_cpuset

MIB = 1024 * 1024
STAGE_PINNED, STAGE_HUGEPAGES, STAGE_NUMA = 3, 4, 5


class Need:
    """What one request takes from NUMA nodes: cores to pin, pages of one size, bound general memory."""

    def __init__(self, cores: int, pages: int, page_size, memory: int):
        self.cores = cores
        self.pages = pages
        self.page_size = page_size
        self.memory = memory  # general memory bound to the nodes (pinned VMs without hugepages)


def _room(state, node, need):
    return (
        len(state.free_cpus(node)) if need.cores else 0,
        state.free_pages(node, need.page_size) if need.pages else 0,
        state.node_general_free(node) if need.memory else 0,
    )


def _holds(room, need):
    return room[0] >= need.cores and room[1] >= need.pages and room[2] >= need.memory


def best_single_node(state, need, prefer=()):
    """The node that holds everything with the least room to spare, or None.

    Nodes in ``prefer`` (those with a free SR-IOV VF the VM asks for) come first, so the VF is NUMA-local.
    """
    fitting = []
    for node in state.nodes:
        room = _room(state, node, need)
        if _holds(room, need):
            spare = (room[0] - need.cores, room[1] - need.pages, room[2] - need.memory)
            fitting.append(((node.node_id not in prefer,) + spare + (node.node_id,), node))
    return min(fitting, key=lambda f: f[0])[1] if fitting else None


def fewest_nodes(state, need):
    """The smallest set of nodes whose free room adds up to the need, or None (greedy on several orders)."""
    rooms = [(node, _room(state, node, need)) for node in state.nodes]
    best = None
    orders = (
        lambda r: (-r[1][0], -r[1][1], -r[1][2], r[0].node_id),
        lambda r: (-r[1][1], -r[1][0], -r[1][2], r[0].node_id),
        lambda r: (-r[1][2], -r[1][0], -r[1][1], r[0].node_id),
    )
    for order in orders:
        total = [0, 0, 0]
        chosen = []
        for node, room in sorted(rooms, key=order):
            if not any(min(have, want) for have, want in zip(room, (need.cores, need.pages, need.memory))):
                continue  # a node that adds nothing the VM needs would only widen the span
            chosen.append(node)
            total = [t + r for t, r in zip(total, room)]
            if _holds(total, need):
                break
        if _holds(total, need) and (best is None or len(chosen) < len(best)):
            best = chosen
    return best


def split(state, need, nodes, explicit_cores=None):
    """Share the need out over ``nodes`` in order: pinned cores, pages and bound memory per node."""
    pinned, pages, memory = [], [], {}
    left_cores, left_pages, left_memory = need.cores, need.pages, need.memory
    for node in nodes:
        if explicit_cores is None and left_cores:
            take = choose_cores(state.cpus, state.free_cpus(node), min(left_cores, len(state.free_cpus(node))))
            pinned.extend(take)
            left_cores -= len(take)
        if left_pages:
            take = min(left_pages, state.free_pages(node, need.page_size))
            if take:
                pages.append({"node_id": node.node_id, "page_size": need.page_size, "count": take})
                left_pages -= take
        if left_memory:
            take = min(left_memory, max(0, state.node_general_free(node)))
            if take:
                memory[node.node_id] = take
                left_memory -= take
    return sorted(explicit_cores if explicit_cores is not None else pinned), pages, memory


def describe_rooms(state, need):
    parts = []
    for node in state.nodes:
        cores, pages, memory = _room(state, node, need)
        items = []
        if need.cores:
            items.append(f"{cores} free cores")
        if need.pages:
            items.append(f"{pages} free {format_bytes(need.page_size)} pages")
        if need.memory:
            items.append(f"{memory} MiB bindable memory")
        parts.append(f"node {node.node_id}: {', '.join(items)}")
    return "; ".join(parts)


def describe_need(need):
    items = []
    if need.cores:
        items.append(f"{need.cores} pinned cores")
    if need.pages:
        items.append(f"{need.pages} x {format_bytes(need.page_size)} hugepages")
    if need.memory:
        items.append(f"{need.memory} MiB bound memory")
    return " and ".join(items)


def place_auto(state, need, strict, prefer=()):
    """Nodes, pinned cores, pages and bound memory for a request without an explicit core list."""
    node = best_single_node(state, need, prefer)
    if node is not None:
        return split(state, need, [node])
    if strict:
        raise CapacityError(
            state.name,
            "numa",
            f"no single NUMA node holds {describe_need(need)} and numa_strict forbids spanning nodes "
            f"({describe_rooms(state, need)}).",
            requested=describe_need(need),
            stage=STAGE_NUMA,
        )
    nodes = fewest_nodes(state, need)
    if nodes is None:
        raise CapacityError(
            state.name,
            "numa",
            f"the NUMA nodes together cannot hold {describe_need(need)} ({describe_rooms(state, need)}).",
            requested=describe_need(need),
            stage=STAGE_NUMA,
        )
    return split(state, need, nodes)


def check_explicit_cores(state, cores):
    """Rule 2 for an explicit list: each core exists, is online, and is pinned by no other VM."""
    for cpu_id in cores:
        cpu = state.cpus.get(cpu_id)
        if cpu is None:
            raise CapacityError(
                state.name,
                "pinned_cores",
                f"pinned core {cpu_id} does not exist (host cores: {format_cpuset(sorted(state.cpus))}).",
                requested=cores,
                stage=STAGE_PINNED,
            )
        if not cpu.online:
            raise CapacityError(
                state.name, "pinned_cores", f"pinned core {cpu_id} is offline.", requested=cores, stage=STAGE_PINNED
            )
        owner = state.pinned.get(cpu_id)
        if owner is not None:
            raise CapacityError(
                state.name,
                "pinned_cores",
                f"core {cpu_id} is already pinned by VM {owner!r}; a core is pinned by one VM at most.",
                requested=cores,
                stage=STAGE_PINNED,
            )


def place_explicit(state, need, cores, strict):
    """Nodes follow the cores the request names; pages and bound memory must be found on those nodes."""
    check_explicit_cores(state, cores)
    node_ids = sorted({state.cpus[c].node for c in cores})
    if strict and len(node_ids) > 1:
        raise CapacityError(
            state.name,
            "numa",
            f"pinned cores {format_cpuset(cores)} lie on NUMA nodes {node_ids} and numa_strict forbids spanning nodes.",
            requested=cores,
            stage=STAGE_NUMA,
        )
    by_count = sorted(node_ids, key=lambda n: (-sum(1 for c in cores if state.cpus[c].node == n), n))
    nodes = [state.node(n) for n in by_count]
    rest = Need(0, need.pages, need.page_size, need.memory)
    total = [0, 0, 0]
    for node in nodes:
        total = [t + r for t, r in zip(total, _room(state, node, rest))]
    if not _holds(total, rest):
        raise CapacityError(
            state.name,
            "hugepages" if need.pages else "numa",
            f"NUMA nodes {node_ids} of pinned cores {format_cpuset(cores)} cannot hold {describe_need(rest)} "
            f"({describe_rooms(state, rest)}).",
            requested=describe_need(rest),
            stage=STAGE_HUGEPAGES if need.pages else STAGE_NUMA,
        )
    return split(state, rest, nodes, explicit_cores=list(cores))
