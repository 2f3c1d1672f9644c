# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fast candidate search for placement: a cheap vector of necessary conditions per host.

Each host is summarised as free vCPUs, free general memory, free cores to pin, most free hugepage MiB of one
size, the roomiest storage pool, all storage, and the room for each way a disk of the plan chooses its pool
(explicit pool, tags, or the default route). A request fits a host only if the host's vector dominates the
request's, so most hosts are ruled out without running the full fit. ``MaxTree`` keeps the element-wise maximum
over ranges of hosts, which finds the first host in pack order that may fit in O(log n) instead of a scan.
"""

from __future__ import annotations

import operator

MIB = 1024 * 1024
BASE_STAGES = (1, 2, 3, 4, 6, 6)  # fit stage each base component stands for (storage components are stage 6)
STORAGE_STAGE = 6
MAX_SELECTORS = 32  # beyond this many distinct pool choices the vector costs more than the full fits it saves


def selector(disk) -> tuple:
    """How a disk picks its pool (mirrors storage.choose_pools): explicit pool, tags, or the default route."""
    if disk["pool"]:
        return ("pool", disk["pool"])
    if disk["tags"]:
        return ("tags", tuple(disk["tags"]))
    return ("default",)


def _selector_room(state, key, frees):
    if key[0] == "pool":
        pool = state.pools.get(key[1])
        return max(pool.free, 0) if pool is not None else 0
    if key[0] == "tags":
        for tag in key[1]:
            if tag in state.pools:
                return max(state.pools[tag].free, 0)
        wanted = set(key[1])
        return sum(max(p.free, 0) for p in state.pools.values() if wanted <= set(p.tags))
    default = state.default_pool()
    return max(default.free, 0) if default is not None else sum(frees)


class FleetIndex:
    def __init__(self, requests):
        keys = []
        for request in requests:
            for disk in request["disks"]:
                key = selector(disk)
                if key not in keys:
                    keys.append(key)
        self.selectors = keys if len(keys) <= MAX_SELECTORS else []
        self.position = {key: i for i, key in enumerate(self.selectors)}
        self.stages = BASE_STAGES + (STORAGE_STAGE,) * len(self.selectors)

    def host_vector(self, state) -> tuple:
        free_pin = sum(len(free) for free in state.free_by_node.values())
        pages = 0
        for size in state.page_sizes():
            pages = max(pages, sum(max(0, state.free_pages(node, size)) for node in state.nodes) * size // MIB)
        frees = [max(pool.free, 0) for pool in state.pools.values()]
        base = (state.free_vcpus, state.free_general, free_pin, pages, max(frees, default=0), sum(frees))
        return base + tuple(_selector_room(state, key, frees) for key in self.selectors)

    def request_vector(self, request) -> tuple:
        sizes = [disk["size"] for disk in request["disks"]]
        backed = request["hugepages_backed"]
        by_selector = [0] * len(self.selectors)
        for disk in request["disks"]:
            pos = self.position.get(selector(disk))
            if pos is not None:
                by_selector[pos] += disk["size"]
        base = (
            request["cores"],
            0 if backed else request["memory"],
            request["cores"] if request["pinned_cores"] else 0,
            request["memory"] if backed else 0,
            max(sizes, default=0),
            sum(sizes),
        )
        return base + tuple(by_selector)

    def first_short(self, have, need):
        """Fit stage of the first component that rules the host out, and the fraction missing there."""
        for i, (h, n) in enumerate(zip(have, need)):
            if h < n:
                return self.stages[i], (n - max(h, 0)) / n if n > 0 else 1.0
        return None, 0.0


def dominates(have, need) -> bool:
    return all(map(operator.ge, have, need))


class MaxTree:
    """Segment tree of element-wise maxima over host vectors, in a fixed order."""

    def __init__(self, vectors: list):
        self.n = len(vectors)
        self.size = 1
        while self.size < max(1, self.n):
            self.size *= 2
        width = len(vectors[0]) if vectors else 0
        floor = tuple([float("-inf")] * width)
        self.data = [floor] * (2 * self.size)
        for i, vec in enumerate(vectors):
            self.data[self.size + i] = vec
        for node in range(self.size - 1, 0, -1):
            self.data[node] = tuple(map(max, self.data[2 * node], self.data[2 * node + 1]))

    def update(self, pos: int, vec: tuple) -> None:
        node = self.size + pos
        self.data[node] = vec
        node //= 2
        while node:
            self.data[node] = tuple(map(max, self.data[2 * node], self.data[2 * node + 1]))
            node //= 2

    def first_fit(self, need: tuple, start: int = 0) -> int:
        """Leftmost position >= start whose vector dominates ``need``, or -1.

        Iterative, left child first: a 10,000-host fleet asks this for every request, and a subtree whose maxima
        dominate ``need`` component by component may still hold no host that does, so the search visits many
        nodes; function calls per node were most of its cost.
        """
        data, n, ge = self.data, self.n, operator.ge
        stack = [(1, 0, self.size)]
        pop, push = stack.pop, stack.append
        while stack:
            node, lo, hi = pop()
            if hi <= start or lo >= n or not all(map(ge, data[node], need)):
                continue
            if hi - lo == 1:
                return lo
            mid = (lo + hi) // 2
            push((2 * node + 1, mid, hi))
            push((2 * node, lo, mid))
        return -1
