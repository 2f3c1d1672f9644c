# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

"""Fast candidate search for placement: a cheap vector of necessary conditions per host.

Each host is summarised as (free vCPUs, free general memory, free cores to pin, most free hugepage MiB of one
size, roomiest storage pool, all storage). A request fits a host only if the host's vector dominates the
request's, so most hosts are ruled out without running the full fit. ``MaxTree`` keeps the element-wise maximum
over ranges of hosts, which finds the first host in pack order that may fit in O(log n) instead of a scan.
"""

MIB = 1024 * 1024
# Stage of the fit each component stands for, so a vector check can say which resource ruled a host out.
COMPONENT_STAGE = (1, 2, 3, 4, 6, 6)
COMPONENT_RESOURCE = ("cpu", "memory", "pinned_cores", "hugepages", "storage", "storage")


def host_vector(state) -> tuple:
    free_pin = sum(len(state.free_cpus(node)) for node in state.nodes)
    pages = 0
    for size in state.page_sizes():
        pages = max(pages, sum(max(0, state.free_pages(node, size)) for node in state.nodes) * size // MIB)
    frees = [pool.free for pool in state.pools.values()]
    return (state.free_vcpus, state.free_general, free_pin, pages, max(frees, default=0), sum(frees))


def request_vector(request) -> tuple:
    sizes = [disk["size"] for disk in request["disks"]]
    backed = request["hugepages_backed"]
    return (
        request["cores"],
        0 if backed else request["memory"],
        request["cores"] if request["pinned_cores"] else 0,
        request["memory"] if backed else 0,
        max(sizes, default=0),
        sum(sizes),
    )


def dominates(have, need) -> bool:
    return all(h >= n for h, n in zip(have, need))


def first_short(have, need):
    """Index of the first component that rules the host out, and the fraction missing there."""
    for i, (h, n) in enumerate(zip(have, need)):
        if h < n:
            return i, (n - max(h, 0)) / n if n > 0 else 1.0
    return None, 0.0


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
        """Leftmost position >= start whose vector dominates ``need``, or -1."""
        return self._find(1, 0, self.size, need, start)

    def _find(self, node, lo, hi, need, start):
        if hi <= start or lo >= self.n or not dominates(self.data[node], need):
            return -1
        if hi - lo == 1:
            return lo
        mid = (lo + hi) // 2
        found = self._find(2 * node, lo, mid, need, start)
        return found if found >= 0 else self._find(2 * node + 1, mid, hi, need, start)
