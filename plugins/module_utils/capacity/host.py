# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host record turned into the state the fit works on.

The record is plain data (what discovery returns and what ``vm_plan`` takes); ``HostState`` indexes it once so
that fitting many requests stays cheap, and ``commit`` adds a placed VM so the next request sees it.

What counts as used: cores, memory and hugepages are summed from the VMs in the record (stopped VMs keep their
share so they can start again); storage pools and SR-IOV functions are taken as the hypervisor reports them
(their ``used`` already holds the VMs' volumes and VFs), and placements made here are added on top.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity import policy
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.vm_entry import vm_entry
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.addresses import parse_subnet
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.limits import MAX_CORES
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.scalars import parse_bool, parse_int
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.tags import parse_tags

MIB = 1024 * 1024


@dataclass
class Cpu:
    id: int
    node: int
    core: int
    socket: int
    online: bool = True
    isolated: bool = False
    siblings: tuple = ()


@dataclass
class Node:
    node_id: int
    cpus: list  # online cpu ids, sorted
    memory: int  # MiB, hugepage pool included
    pages: dict  # page size (bytes) -> pages reserved on this node
    all_cpus: list = field(default_factory=list)  # Cpu objects, online or not, by id

    @property
    def hugepage_pool(self) -> int:
        return sum(size * count for size, count in self.pages.items()) // MIB


@dataclass
class Pool:
    name: str
    type: str
    path: str
    total: int
    used: int
    available: int
    default: bool
    tags: list
    active: bool = True
    planned: int = 0  # bytes placed by this planning session

    @property
    def free(self) -> int:
        return self.available - self.planned


@dataclass
class Interface:
    name: str
    type: str
    numa_node: object
    default: bool
    sriov_max_vf: int
    sriov_used_vf: int
    networks: list
    vlans: list
    subnets: list
    spaces: list
    # What discovery reports about a libvirt network, carried through to the record unchanged.
    forward_mode: object = None
    bridge: object = None
    dhcp: bool = False
    dhcp_ranges: list = field(default_factory=list)
    active: bool = True
    # bridge ports, bond slaves or a VLAN's parent: an SR-IOV NIC's VLAN reaches its subnets through the parent
    members: list = field(default_factory=list)
    planned_vf: int = 0

    @property
    def free_vf(self) -> int:
        return self.sriov_max_vf - self.sriov_used_vf - self.planned_vf


@dataclass
class HostState:
    name: str
    record: dict
    pool: str
    zone: str
    tags: list
    cpu_ratio: float
    memory_ratio: float
    reserved_cores: int
    reserved_memory: int
    default_storage_pool: object
    nodes: list
    cpus: dict  # id -> Cpu, online and offline
    pools: dict  # name -> Pool, in record order
    interfaces: list
    vms: list = field(default_factory=list)
    pinned: dict = field(default_factory=dict)  # cpu id -> VM name
    vcpus_used: int = 0
    general_used: int = 0
    pages_used: dict = field(default_factory=dict)  # (node, page size) -> pages
    bound_general: dict = field(default_factory=dict)  # node -> MiB of general memory bound there
    free_by_node: dict = field(default_factory=dict)  # node -> online cpus no VM pins, sorted

    # Budgets are fixed for a record; computed once because placement asks for them on every request.
    online_cores: int = 0
    memory_total: int = 0
    hugepage_pool: int = 0
    vcpu_budget: int = 0
    general_budget: int = 0

    @property
    def free_vcpus(self) -> int:
        return self.vcpu_budget - self.vcpus_used

    @property
    def free_general(self) -> int:
        return self.general_budget - self.general_used

    def node(self, node_id: int) -> Node:
        for node in self.nodes:
            if node.node_id == node_id:
                return node
        raise KeyError(node_id)

    def free_cpus(self, node: Node) -> list:
        """Online cpus of the node no VM pins (kept up to date by commit; callers must not change it)."""
        return self.free_by_node[node.node_id]

    def free_pages(self, node: Node, size: int) -> int:
        return node.pages.get(size, 0) - self.pages_used.get((node.node_id, size), 0)

    def node_general_free(self, node: Node) -> int:
        """General memory a NUMA-bound VM may still take on this node (same ratio as the host)."""
        capacity = policy.scaled(max(0, node.memory - node.hugepage_pool), self.memory_ratio)
        return capacity - self.bound_general.get(node.node_id, 0)

    def page_sizes(self) -> list:
        """Page sizes with any pages reserved, largest first."""
        return sorted({size for node in self.nodes for size, count in node.pages.items() if count > 0}, reverse=True)

    def default_pool(self):
        if self.default_storage_pool:
            return self.pools[self.default_storage_pool]
        for pool in self.pools.values():
            if pool.default:
                return pool
        return None

    def commit(self, alloc: dict) -> None:
        """Account for one VM allocation (from the record or just placed)."""
        self.vms.append(alloc)
        self.vcpus_used += alloc["cores"]
        for cpu in alloc["pinned_cores"]:
            self.pinned.setdefault(cpu, alloc["name"])
            owner = self.cpus.get(cpu)
            if owner is not None and cpu in self.free_by_node[owner.node]:
                self.free_by_node[owner.node].remove(cpu)
        if alloc["hugepages_backed"]:
            for share in alloc["hugepages"]:
                key = (share["node_id"], share["page_size"])
                self.pages_used[key] = self.pages_used.get(key, 0) + share["count"]
        else:
            self.general_used += alloc["memory"]
            for node_id, mib in alloc.get("memory_by_node", {}).items():
                self.bound_general[node_id] = self.bound_general.get(node_id, 0) + mib
        if alloc.get("planned"):
            for disk in alloc["disks"]:
                self.pools[disk["pool"]].planned += disk["size"]
            for nic in alloc["interfaces"]:
                if nic.get("vf"):
                    for iface in self.interfaces:
                        if iface.name == nic["host_interface"]:
                            iface.planned_vf += 1


# ---- parsing -------------------------------------------------------------------------------------------------


def _int(value, option, minimum=0, default=None):
    """A whole number of at least ``minimum``; plain ints skip the general parser (hosts list thousands of cpus)."""
    if value is None and default is not None:
        return default
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    return parse_int(value, option, minimum=minimum)


def _bool(value, option, default=False):
    if value is None:
        return default
    if value is True or value is False:
        return value
    return parse_bool(value, option)


_CPU_KEYS = frozenset(("id", "core", "socket", "siblings", "online", "isolated"))


def _parse_cpus(value, option, node_id, next_id):
    """cpus as a count, a list of ids, or a list of cpu dicts; returns Cpu objects.

    A fleet's records list a million cpus, so the common case (plain ints and bools) is checked inline and the
    general parsers, and the option path of an error, are only reached for anything else. ``x.__class__ is int``
    is that inline check: a bool (or Ansible's tagged int) goes the general way, as it does in ``_int``.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise SpecError(option, value, "is negative; give a count, a list of cpu ids or a list of cpu dicts")
        if value > MAX_CORES:
            raise SpecError(option, value, f"is more cpus than any machine has; at most {MAX_CORES}")
        return [Cpu(next_id + i, node_id, next_id + i, 0) for i in range(value)]
    if not isinstance(value, list):
        raise SpecError(option, value, "is not a count, a list of cpu ids or a list of cpu dicts")
    cpus = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            cpus.append(_parse_cpu(item, option, i, node_id))
        else:
            cpu_id = item if item.__class__ is int and item >= 0 else _int(item, f"{option}[{i}]")
            cpus.append(Cpu(cpu_id, node_id, cpu_id, 0))
    return cpus


def _parse_cpu(item, option, i, node_id):
    if not _CPU_KEYS.issuperset(item):
        unknown = set(item) - _CPU_KEYS
        raise SpecError(
            f"{option}[{i}]",
            item,
            f"has unknown keys {sorted(unknown)}; allowed: id, core, socket, siblings, online, isolated",
        )
    get = item.get
    cpu_id = get("id")
    if cpu_id.__class__ is not int or cpu_id < 0:
        cpu_id = _int(cpu_id, f"{option}[{i}].id")
    core = get("core")
    if core is None:
        core = cpu_id
    elif core.__class__ is not int or core < 0:
        core = _int(core, f"{option}[{i}].core")
    socket = get("socket")
    if socket is None:
        socket = 0
    elif socket.__class__ is not int or socket < 0:
        socket = _int(socket, f"{option}[{i}].socket")
    online = get("online")
    if online is not True and online is not False:
        online = _bool(online, f"{option}[{i}].online", default=True)
    isolated = get("isolated")
    if isolated is not True and isolated is not False:
        isolated = _bool(isolated, f"{option}[{i}].isolated")
    siblings = get("siblings")
    siblings = tuple(sorted(_int(s, f"{option}[{i}].siblings") for s in siblings)) if siblings else ()
    return Cpu(cpu_id, node_id, core, socket, online, isolated, siblings)


def _parse_node(value, option, next_id):
    if not isinstance(value, dict):
        raise SpecError(option, value, "is not a dict with node_id, cpus and memory")
    node_id = _int(value.get("node_id"), f"{option}.node_id")
    cpus = _parse_cpus(value.get("cpus", 0), f"{option}.cpus", node_id, next_id)
    memory = value.get("memory") or {}
    if not isinstance(memory, dict):
        raise SpecError(f"{option}.memory", memory, "is not a dict; give at least {total: MiB}")
    total = _int(memory.get("total"), f"{option}.memory.total")
    pages = {}
    for j, entry in enumerate(memory.get("hugepages") or []):
        where = f"{option}.memory.hugepages[{j}]"
        if not isinstance(entry, dict):
            raise SpecError(where, entry, "is not a dict with page_size (bytes) and total (pages)")
        size = _int(entry.get("page_size"), f"{where}.page_size", minimum=4096)
        if size & (size - 1):
            raise SpecError(f"{where}.page_size", size, "is not a power of two (bytes, e.g. 2097152 for 2 MiB)")
        if size in pages:
            raise SpecError(f"{where}.page_size", size, "is listed twice for this node")
        pages[size] = _int(entry.get("total"), f"{where}.total")
    node = Node(node_id=node_id, cpus=[], memory=total, pages=pages)
    if node.hugepage_pool > total:
        raise SpecError(
            f"{option}.memory.hugepages",
            memory.get("hugepages"),
            f"reserve {node.hugepage_pool} MiB of hugepages, more than the node's {total} MiB of memory",
        )
    return node, cpus


def _parse_pool(value, option):
    if not isinstance(value, dict) or not value.get("name"):
        raise SpecError(option, value, "is not a dict with at least name and total")
    total = _int(value.get("total"), f"{option}.total")
    used = _int(value.get("used"), f"{option}.used", default=0)
    available = value.get("available")
    available = total - used if available is None else _int(available, f"{option}.available")
    return Pool(
        name=str(value["name"]),
        type=str(value.get("type") or "dir"),
        path=str(value.get("path") or ""),
        total=total,
        used=used,
        available=available,
        default=_bool(value.get("default"), f"{option}.default"),
        tags=parse_tags(value.get("tags"), f"{option}.tags"),
        active=_bool(value.get("active"), f"{option}.active", default=True),
    )


def _parse_interface(value, option):
    if not isinstance(value, dict) or not value.get("name"):
        raise SpecError(option, value, "is not a dict with at least a name")
    given = value.get("subnets") or []
    if not isinstance(given, list):
        raise SpecError(f"{option}.subnets", given, "is not a list of subnets in CIDR form like 10.0.0.0/24")
    subnets = [ipaddress.ip_network(parse_subnet(c, f"{option}.subnets[{j}]")) for j, c in enumerate(given)]
    numa_node = value.get("numa_node")
    return Interface(
        name=str(value["name"]),
        type=str(value.get("type") or "physical"),
        numa_node=None if numa_node is None else _int(numa_node, f"{option}.numa_node"),
        default=_bool(value.get("default"), f"{option}.default"),
        sriov_max_vf=_int(value.get("sriov_max_vf"), f"{option}.sriov_max_vf", default=0),
        sriov_used_vf=_int(value.get("sriov_used_vf"), f"{option}.sriov_used_vf", default=0),
        networks=parse_tags(value.get("networks"), f"{option}.networks"),
        vlans=[_int(v, f"{option}.vlans") for v in value.get("vlans") or []],
        subnets=subnets,
        spaces=parse_tags(value.get("spaces"), f"{option}.spaces"),
        forward_mode=value.get("forward_mode"),
        bridge=value.get("bridge"),
        dhcp=_bool(value.get("dhcp"), f"{option}.dhcp"),
        dhcp_ranges=[str(r) for r in value.get("dhcp_ranges") or []],
        active=_bool(value.get("active"), f"{option}.active", default=True),
        members=[str(m) for m in value.get("members") or []],
    )


def parse_vm(value: dict, option: str, host: str, cpu_node: dict) -> dict:
    """A VM allocation from a record, normalised to the shape ``fit`` returns."""
    if not isinstance(value, dict) or not value.get("name"):
        raise SpecError(option, value, "is not a dict with at least a name")
    pinned = sorted({_int(c, f"{option}.pinned_cores") for c in value.get("pinned_cores") or []})
    cores = _int(value.get("cores"), f"{option}.cores", default=len(pinned))
    memory = _int(value.get("memory"), f"{option}.memory", default=0)
    backed = _bool(value.get("hugepages_backed"), f"{option}.hugepages_backed")
    numanode_set = sorted({_int(n, f"{option}.numanode_set") for n in value.get("numanode_set") or []})
    if not numanode_set and pinned:
        numanode_set = sorted({cpu_node[c] for c in pinned if c in cpu_node})
    hugepages = []
    for j, share in enumerate(value.get("hugepages") or []):
        where = f"{option}.hugepages[{j}]"
        if not isinstance(share, dict):
            raise SpecError(where, share, "is not a dict with node_id, page_size and count")
        hugepages.append(
            {
                "node_id": _int(share.get("node_id"), f"{where}.node_id"),
                "page_size": _int(share.get("page_size"), f"{where}.page_size", minimum=4096),
                "count": _int(share.get("count"), f"{where}.count"),
            }
        )
    if backed and not hugepages:
        raise SpecError(
            f"{option}.hugepages", None, "is required for a hugepages_backed VM: [{node_id, page_size, count}]"
        )
    memory_by_node = {}
    if not backed and pinned and numanode_set:
        # General memory of a pinned VM is bound to its nodes in proportion to the cores it pins there.
        for node_id in numanode_set:
            share = sum(1 for c in pinned if cpu_node.get(c) == node_id)
            memory_by_node[node_id] = memory * share // len(pinned)
        memory_by_node[numanode_set[0]] += memory - sum(memory_by_node.values())
    vm = vm_entry(
        str(value["name"]),
        host,
        cores,
        memory,
        pinned_cores=pinned,
        hugepages_backed=backed,
        hugepages=hugepages,
        numanode_set=numanode_set,
        disks=value.get("disks") or [],
        interfaces=value.get("interfaces") or [],
        power_state=value.get("power_state"),
        pool=value.get("pool"),
        tags=parse_tags(value.get("tags"), f"{option}.tags"),
        planned=_bool(value.get("planned"), f"{option}.planned"),
        # what discovery says of a VM (e.g. an instance of another LXD project), kept for the record
        notes=[str(note) for note in value.get("notes") or []],
        # what discovery found changed outside the collection (see drift.py), kept for the record
        drift=[dict(finding) for finding in value.get("drift") or [] if isinstance(finding, dict)],
    )
    vm["memory_by_node"] = memory_by_node
    return vm


def parse_host(record: dict, option: str = "hosts[0]") -> HostState:
    """Validate a host record and index it; every problem is a SpecError naming the option."""
    if not isinstance(record, dict):
        raise SpecError(option, record, "is not a host record (a dict)")
    name = record.get("name")
    if not name or not isinstance(name, str):
        raise SpecError(f"{option}.name", name, "is required: a non-empty string")
    numa = record.get("numa")
    if not isinstance(numa, list) or not numa:
        raise SpecError(f"{option}.numa", numa, "must list at least one NUMA node with cpus and memory")

    nodes, cpus, next_id = [], {}, 0
    for i, entry in enumerate(numa):
        node, node_cpus = _parse_node(entry, f"{option}.numa[{i}]", next_id)
        if any(n.node_id == node.node_id for n in nodes):
            raise SpecError(f"{option}.numa[{i}].node_id", node.node_id, "is used by another NUMA node of this host")
        for cpu in node_cpus:
            if cpu.id in cpus:
                raise SpecError(f"{option}.numa[{i}].cpus", cpu.id, "is a cpu id already listed on this host")
            cpus[cpu.id] = cpu
            next_id = max(next_id, cpu.id + 1)
        node.cpus = sorted(c.id for c in node_cpus if c.online)
        node.all_cpus = sorted(node_cpus, key=lambda c: c.id)
        nodes.append(node)
    nodes.sort(key=lambda n: n.node_id)
    _fill_siblings(cpus)

    pools = {}
    for i, entry in enumerate(record.get("storage_pools") or []):
        pool = _parse_pool(entry, f"{option}.storage_pools[{i}]")
        if pool.name in pools:
            raise SpecError(f"{option}.storage_pools[{i}].name", pool.name, "is used by another storage pool")
        pools[pool.name] = pool
    default_pool = record.get("default_storage_pool")
    if default_pool and default_pool not in pools:
        raise SpecError(
            f"{option}.default_storage_pool",
            default_pool,
            f"is not one of the host's storage pools ({', '.join(pools) or 'none'})",
        )

    interfaces = [
        _parse_interface(e, f"{option}.interfaces[{i}]") for i, e in enumerate(record.get("interfaces") or [])
    ]
    reserved = record.get("reserved") or {}
    if not isinstance(reserved, dict):
        raise SpecError(f"{option}.reserved", reserved, "is not a dict with cores and memory")
    state = HostState(
        name=name,
        record=record,
        pool=str(record.get("pool") or "default"),
        zone=str(record.get("zone") or "default"),
        tags=parse_tags(record.get("tags"), f"{option}.tags"),
        cpu_ratio=policy.parse_ratio(record.get("cpu_over_commit_ratio"), f"{option}.cpu_over_commit_ratio"),
        memory_ratio=policy.parse_ratio(record.get("memory_over_commit_ratio"), f"{option}.memory_over_commit_ratio"),
        reserved_cores=policy.parse_reserved(reserved.get("cores"), f"{option}.reserved.cores"),
        reserved_memory=policy.parse_reserved(reserved.get("memory"), f"{option}.reserved.memory"),
        default_storage_pool=default_pool or None,
        nodes=nodes,
        cpus=cpus,
        pools=pools,
        interfaces=interfaces,
    )
    state.free_by_node = {n.node_id: list(n.cpus) for n in nodes}
    state.online_cores = sum(len(n.cpus) for n in nodes)
    state.memory_total = sum(n.memory for n in nodes)
    state.hugepage_pool = sum(n.hugepage_pool for n in nodes)
    state.vcpu_budget = policy.vcpu_budget(state.online_cores, state.cpu_ratio, state.reserved_cores)
    state.general_budget = policy.general_memory_budget(
        state.memory_total, state.hugepage_pool, state.reserved_memory, state.memory_ratio
    )
    cpu_node = {c.id: c.node for c in cpus.values()}
    seen = set()
    for i, entry in enumerate(record.get("vms") or []):
        vm = parse_vm(entry, f"{option}.vms[{i}]", name, cpu_node)
        if vm["name"] in seen:
            raise SpecError(f"{option}.vms[{i}].name", vm["name"], "is used by another VM on this host")
        seen.add(vm["name"])
        vm["planned"] = False  # only this session's placements add to pools and VFs, see module docstring
        state.commit(vm)
    return state


def _fill_siblings(cpus: dict) -> None:
    """Threads of one physical core share (socket, core); siblings default to that group."""
    groups = {}
    for cpu in cpus.values():
        groups.setdefault((cpu.socket, cpu.core), []).append(cpu.id)
    shared = {key: tuple(sorted(ids)) for key, ids in groups.items()}  # one tuple per core, not one per thread
    for cpu in cpus.values():
        if not cpu.siblings:
            cpu.siblings = shared[(cpu.socket, cpu.core)]
