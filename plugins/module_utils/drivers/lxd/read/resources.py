# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host half of the record from LXD's ``/1.0/resources``: NUMA nodes with their threads, memory and hugepages.

LXD reports every thread with its NUMA node and the kernel's ``online`` and ``isolated`` (isolcpus) flags, and
memory per node in bytes, hugepages included, for the kernel's default hugepage size only (LXD 5.0 does not list
the other sizes). Memory becomes whole MiB, rounded down; hugepage sizes stay bytes and counts are pages, as in
the host record (docs/host_record.md).
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.errors import LxdDataError, field

MIB = 1024 * 1024
WHAT = "/1.0/resources"


def parse_numa(resources: dict) -> list:
    """``numa[]`` of the record: one entry per NUMA node that has threads or memory, by ``node_id``.

    Each CPU is ``{id, core, socket, siblings, online, isolated}``. ``core`` names a physical core host-wide by
    its lowest thread id (LXD's core number repeats in every socket and die); ``siblings`` are the threads of that
    core. A host without NUMA (no ``memory.nodes``) is one node 0 with all of the host's memory.
    """
    cpus = _cpus(field(resources, "cpu", WHAT, dict))
    memory = _memory(field(resources, "memory", WHAT, dict))
    node_ids = sorted({cpu["node"] for cpu in cpus} | set(memory))
    nodes = []
    for node_id in node_ids:
        total, hugepages = memory.get(node_id, (0, []))
        nodes.append(
            {
                "node_id": node_id,
                "cpus": [{k: v for k, v in cpu.items() if k != "node"} for cpu in cpus if cpu["node"] == node_id],
                "memory": {"total": total, "hugepages": hugepages},
            }
        )
    return nodes or [{"node_id": 0, "cpus": [], "memory": {"total": 0, "hugepages": []}}]


def hugepage_size(resources: dict):
    """The kernel's default hugepage size in bytes (the only one LXD reports), or None."""
    memory = field(resources, "memory", WHAT, dict)
    size = field(memory, "hugepages_size", f"{WHAT}: memory", int, required=False)
    return size or None


def _cpus(cpu: dict) -> list:
    raw = []
    for s_index, socket in enumerate(field(cpu, "sockets", f"{WHAT}: cpu", list, default=[], required=False)):
        s_where = f"{WHAT}: cpu.sockets[{s_index}]"
        socket_id = field(socket, "socket", s_where, int, default=s_index, required=False)
        for c_index, core in enumerate(field(socket, "cores", s_where, list, default=[], required=False)):
            c_where = f"{s_where}.cores[{c_index}]"
            core_id = field(core, "core", c_where, int, default=c_index, required=False)
            die = field(core, "die", c_where, int, default=0, required=False)
            # before LXD's resources_cpu_threads_numa extension the node was given per core
            core_node = field(core, "numa_node", c_where, int, default=0, required=False)
            for t_index, thread in enumerate(field(core, "threads", c_where, list)):
                t_where = f"{c_where}.threads[{t_index}]"
                raw.append(
                    {
                        "id": field(thread, "id", t_where, int),
                        "node": field(thread, "numa_node", t_where, int, default=core_node, required=False),
                        "socket": socket_id,
                        "online": field(thread, "online", t_where, bool, default=True, required=False),
                        "isolated": field(thread, "isolated", t_where, bool, default=False, required=False),
                        "key": (socket_id, die, core_id),
                    }
                )
    groups: dict = {}
    for entry in raw:
        if any(entry["id"] in ids for ids in groups.values()):
            raise LxdDataError(f"{WHAT}: thread {entry['id']} is listed twice")
        groups.setdefault(entry["key"], []).append(entry["id"])
    cpus = []
    for entry in sorted(raw, key=lambda e: e["id"]):
        members = sorted(groups[entry["key"]])
        cpus.append(
            {
                "id": entry["id"],
                "core": members[0],
                "socket": entry["socket"],
                "siblings": members,
                "online": entry["online"],
                "isolated": entry["isolated"],
                "node": entry["node"],
            }
        )
    return cpus


def _memory(memory: dict) -> dict:
    """node id -> (total MiB, hugepage pools) from the memory block."""
    where = f"{WHAT}: memory"
    size = field(memory, "hugepages_size", where, int, default=0, required=False)
    nodes = field(memory, "nodes", where, list, default=[], required=False)
    if not nodes:
        nodes = [{"numa_node": 0, **{k: memory.get(k) for k in ("total", "hugepages_total")}}]
    result = {}
    for index, node in enumerate(nodes):
        n_where = f"{where}.nodes[{index}]"
        node_id = field(node, "numa_node", n_where, int, default=0, required=False)
        if node_id in result:
            raise LxdDataError(f"{n_where}: NUMA node {node_id} is listed twice")
        total = field(node, "total", n_where, int)
        pool = field(node, "hugepages_total", n_where, int, default=0, required=False)
        if total < 0 or pool < 0 or pool > total:
            raise LxdDataError(f"{n_where}: total {total} and hugepages_total {pool} bytes are not sizes of a node")
        hugepages = [{"page_size": size, "total": pool // size}] if size > 0 else []
        result[node_id] = (total // MIB, hugepages)
    return result
