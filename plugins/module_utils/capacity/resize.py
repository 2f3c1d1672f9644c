# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The capacity check of a change to a VM that exists: the host without the VM must hold the VM as now asked.

Only the growth of its disks is new storage (its volumes already count in the pools' used space), and its NICs
stay as they are, so neither is placed again.
"""

from __future__ import annotations

import copy

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.fit import fit
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host

# What the core chooses again for a VM bound to cores or NUMA nodes when it is resized.
PLACEMENT_KEYS = ("pinned_cores", "hugepages", "numanode_set", "spans_numa_nodes", "memory_by_node")


def resize(record: dict, name: str, request: dict, growth: list) -> dict:
    """VM ``name``'s allocation on host ``record`` once resized to ``request`` (a parsed request), or CapacityError.

    ``growth``: ``[{"name", "pool", "size"}]``, the bytes each growing disk adds in its pool. The allocation is the
    VM's ``vms[]`` entry with the request's cores, memory, pool and tags; a VM pinned or backed by hugepages also
    gets its pinning, NUMA nodes and pages as the core placed it now (the same cores when they still fit).
    """
    current = next(vm for vm in record["vms"] if vm["name"] == name)
    others = copy.deepcopy(record)
    others["vms"] = [vm for vm in others["vms"] if vm["name"] != name]
    check = dict(request, disks=[dict(d, tags=[], boot=False) for d in growth], interfaces=[])
    placed = _refit(parse_host(others), check, current)
    alloc = dict(
        current,
        cores=request["cores"],
        memory=request["memory"],
        pool=request["pool"] or current["pool"] or record["pool"],
        tags=list(request["tags"]),
    )
    if current["pinned_cores"] or current["hugepages_backed"]:
        for key in PLACEMENT_KEYS:
            alloc[key] = placed[key]
    return alloc


def _refit(state, check: dict, current: dict) -> dict:
    """A pinned VM whose request lets the core choose keeps its cores when they still fit (so a memory change
    does not move it); otherwise the core chooses again."""
    if check["pinned_cores"] == "auto" and len(current["pinned_cores"]) == check["cores"]:
        try:
            return fit(state, dict(check, pinned_cores=list(current["pinned_cores"])))
        except CapacityError:
            pass  # the old cores cannot hold the new size: let the core choose
    return fit(state, check)
