# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One VM of a host record (``vms[]``, docs/host_record.md): the one place its shape is built.

The core's placement (capacity/fit.py), its reading of a record (capacity/host.py) and every driver's discovery
build a VM's entry here, so the shape cannot drift apart between them. The core adds its own ``memory_by_node``
bookkeeping to what it builds; that key is never shown (capacity/summary.public_alloc drops it).
"""

from __future__ import annotations


def vm_entry(
    name: str,
    host: str,
    cores: int,
    memory: int,
    *,
    pinned_cores=(),
    hugepages_backed: bool = False,
    hugepages=(),
    numanode_set=(),
    disks=(),
    interfaces=(),
    power_state=None,
    pool=None,
    tags=(),
    planned: bool = False,
    notes=(),
    drift=(),
) -> dict:
    """The entry of VM ``name`` on ``host``: ``memory`` in MiB, ``disks`` as ``[{"name", "pool", "size"}]``, the
    NUMA nodes it is bound to in ``numanode_set``; ``planned`` for a placement not made yet."""
    nodes = list(numanode_set)
    return {
        "name": name,
        "host": host,
        "cores": cores,
        "pinned_cores": list(pinned_cores),
        "memory": memory,
        "hugepages_backed": hugepages_backed,
        "hugepages": list(hugepages),
        "numanode_set": nodes,
        "spans_numa_nodes": len(nodes) > 1,
        "disks": list(disks),
        "interfaces": list(interfaces),
        "power_state": power_state,
        "pool": pool,
        "tags": list(tags),
        "planned": planned,
        "notes": list(notes),
        "drift": list(drift),
    }
