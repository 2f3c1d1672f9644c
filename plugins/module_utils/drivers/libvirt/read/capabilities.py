# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host half of the record from ``virConnectGetCapabilities()``: NUMA nodes, CPUs, hugepages, guest support.

Memory is whole MiB (rounded down: a host never offers a part of a MiB it does not have), hugepage sizes are bytes
and counts are pages, as in the host record (docs/host_record.md).
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.units import bytes_to_mib, to_bytes
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.xmlutil import (
    describe,
    element_bytes,
    expand_cpuset,
    int_attr,
    int_text,
    parse_root,
    text_of,
)

WHAT = "capabilities"
# The kernel's base page on x86 and most arm64 builds; used when <host><cpu> lists no page sizes at all.
_DEFAULT_BASE_PAGE = 4096


def parse_capabilities(xml: str) -> dict:
    """``numa``, ``arch``, ``domain_types``, ``emulator``, ``machines``, ``hugepage_sizes`` and ``uuid`` of a host.

    ``hugepage_sizes`` are the hugepage sizes (bytes, ascending) the host supports, pools or not: the sizes of
    ``<host><cpu><pages>`` above every size some cell uses for ordinary pages (see ``_hugepages``).

    ``numa`` is one entry per ``<host><topology><cells><cell>``: ``node_id``, ``cpus`` (dicts with ``id``,
    ``core``, ``socket``, ``siblings``, ``online``) and ``memory`` (``total`` MiB, ``hugepages`` with
    ``page_size`` bytes and ``total`` pages, one per hugepage size the node lists, zero pools included).

    ``core`` identifies a physical core on the whole host, not within its socket: libvirt's ``core_id`` repeats
    across sockets (and dies), and the capacity core groups threads by (socket, core). So the CPUs that share
    ``(socket_id, die_id, core_id)`` get as ``core`` the lowest CPU id among them (a core is named after its
    first thread: CPUs 0 and 8 of a hyper-threaded core are both ``core: 0``).

    Without ``<topology>`` (drivers that do not report NUMA), there is one node 0 built from
    ``<host><cpu><topology sockets dies clusters cores threads>`` with CPU ids counted up thread by thread as
    libvirt itself fakes them, and memory 0, because capabilities carry no memory figure then: the caller fills
    it in (``virNodeGetInfo``). Without either, node 0 has no CPUs.

    Every CPU libvirt lists is ``online: True``: libvirt lists only online CPUs in a cell.

    ``domain_types``, ``emulator`` and ``machines`` come from the ``hvm`` guest of the host's own arch (``kvm``
    and ``qemu`` on a KVM host); ``[]``/None/``[]`` when there is none.
    """
    root = parse_root(xml, WHAT, "capabilities")
    host = root.find("host")
    if host is None:
        raise LibvirtXmlError(f"{WHAT}: there is no <host> element")
    arch = text_of(host, "cpu/arch")
    if arch is None:
        raise LibvirtXmlError(f"{WHAT}: <host><cpu> has no <arch>")
    base_page, host_sizes = _host_page_sizes(host)
    cells = host.findall("topology/cells/cell")
    ordinary = {base_page}
    numa = _cells(cells, base_page, ordinary) if cells else [_fake_node(host)]
    guest = _guest(root, arch)
    return {
        "numa": numa,
        "arch": arch,
        "domain_types": guest["domain_types"],
        "emulator": guest["emulator"],
        "machines": guest["machines"],
        "hugepage_sizes": [size for size in host_sizes if size > max(ordinary)],
        # the machine's identity: one libvirtd reached two ways (locally, over qemu+ssh) is one set of hardware
        "uuid": text_of(host, "uuid"),
    }


def _page_size(element, where: str) -> int:
    size = element.get("size")
    if size is None:
        raise LibvirtXmlError(f"{where}: {describe(element)} has no size attribute")
    # libvirt writes page sizes in KiB; the unit attribute is there for the day it does not.
    return to_bytes(size, element.get("unit"), default="KiB", what=f"{where}: {describe(element)}")


def _host_page_sizes(host) -> tuple:
    """The host's base page (the smallest size it lists) and all its page sizes, in bytes."""
    sizes = sorted({_page_size(page, f"{WHAT}: <host><cpu>") for page in host.findall("cpu/pages")})
    return (sizes[0] if sizes else _DEFAULT_BASE_PAGE), sizes


def _cells(cells: list, base_page: int, ordinary: set) -> list:
    """The NUMA nodes; adds each cell's ordinary page size to ``ordinary``."""
    nodes = []
    raw_cpus = []
    seen_nodes = set()
    for cell in cells:
        node_id = int_attr(cell, "id", f"{WHAT}: <cell>")
        where = f"{WHAT}: NUMA cell {node_id}"
        if node_id in seen_nodes:
            raise LibvirtXmlError(f"{WHAT}: NUMA cell {node_id} is listed twice")
        seen_nodes.add(node_id)
        memory = cell.find("memory")
        # libvirt leaves <memory> out of a cell that has none (a CPU-only node).
        total = bytes_to_mib(element_bytes(memory, where, "KiB")) if memory is not None else 0
        nodes.append(
            {
                "node_id": node_id,
                "cpus": [],
                "memory": {"total": total, "hugepages": _hugepages(cell, where, base_page, ordinary)},
            }
        )
        for cpu in cell.findall("cpus/cpu"):
            raw_cpus.append((len(nodes) - 1, _raw_cpu(cpu, where)))
    for index, cpu in _number_cores(raw_cpus):
        nodes[index]["cpus"].append(cpu)
    return nodes


def _hugepages(cell, where: str, base_page: int, ordinary_sizes: set) -> list:
    """Hugepage pools of a cell, without its ordinary pages.

    A cell's ordinary pages are those of the host's base size and those of the smallest size the cell lists:
    libvirt always lists the system page size of a cell, as its smallest (virNumaGetPages). The second rule is
    what keeps ``test:///default`` sane: its cell 1 lists 8 KiB pages for all of its memory and no 4 KiB ones,
    and counting those as hugepages would reserve the whole node.
    """
    pools = {}
    for page in cell.findall("pages"):
        size = _page_size(page, where)
        count = int_text(page, where)
        if size in pools:
            raise LibvirtXmlError(f"{where}: pages of {size} bytes are listed twice")
        pools[size] = count
    if not pools:
        return []
    ordinary = max(base_page, min(pools))
    ordinary_sizes.add(ordinary)
    return [{"page_size": size, "total": pools[size]} for size in sorted(pools) if size > ordinary]


def _raw_cpu(cpu, where: str) -> dict:
    cpu_id = int_attr(cpu, "id", where)
    socket = int_attr(cpu, "socket_id", where, default=None)
    core_id = int_attr(cpu, "core_id", where, default=None)
    die = int_attr(cpu, "die_id", where, default=0)
    siblings = expand_cpuset(cpu.get("siblings"), f"{where}: cpu {cpu_id} siblings")
    if socket is not None and core_id is not None:
        key = ("core", socket, die, core_id)
    elif siblings:
        key = ("siblings",) + tuple(siblings)
    else:
        key = ("cpu", cpu_id)
    return {"id": cpu_id, "socket": socket if socket is not None else 0, "siblings": siblings, "key": key}


def _number_cores(raw_cpus: list) -> list:
    """(node index, cpu dict) with ``core`` = lowest CPU id sharing the physical core, host-wide."""
    groups: dict = {}
    seen = set()
    for _index, raw in raw_cpus:
        if raw["id"] in seen:
            raise LibvirtXmlError(f"{WHAT}: cpu {raw['id']} is listed twice")
        seen.add(raw["id"])
        groups.setdefault(raw["key"], []).append(raw["id"])
    result = []
    for index, raw in raw_cpus:
        members = sorted(groups[raw["key"]])
        cpu = {
            "id": raw["id"],
            "core": members[0],
            "socket": raw["socket"],
            "siblings": raw["siblings"] or members,
            "online": True,
        }
        result.append((index, cpu))
    return result


def _fake_node(host) -> dict:
    topology = host.find("cpu/topology")
    cpus = []
    if topology is not None:
        where = f"{WHAT}: <host><cpu>"
        sockets = int_attr(topology, "sockets", where, minimum=1)
        # dies and clusters multiply like sockets; libvirt leaves them out when there is one.
        per_socket = int_attr(topology, "dies", where, default=1, minimum=1) * int_attr(
            topology, "clusters", where, default=1, minimum=1
        )
        cores = int_attr(topology, "cores", where, minimum=1)
        threads = int_attr(topology, "threads", where, minimum=1)
        cpu_id = 0
        for socket in range(sockets):
            for _core in range(per_socket * cores):
                siblings = list(range(cpu_id, cpu_id + threads))
                for thread in siblings:
                    cpus.append(
                        {"id": thread, "core": siblings[0], "socket": socket, "siblings": siblings, "online": True}
                    )
                cpu_id += threads
    return {"node_id": 0, "cpus": cpus, "memory": {"total": 0, "hugepages": []}}


def _guest(root, arch: str) -> dict:
    domain_types: list = []
    machines: list = []
    emulator = None
    for guest in root.findall("guest"):
        if text_of(guest, "os_type") != "hvm":
            continue
        for guest_arch in guest.findall("arch"):
            if guest_arch.get("name") != arch:
                continue
            emulator = emulator or text_of(guest_arch, "emulator")
            _extend(machines, guest_arch.findall("machine"))
            for domain in guest_arch.findall("domain"):
                if domain.get("type") and domain.get("type") not in domain_types:
                    domain_types.append(domain.get("type"))
                # Older libvirt lists emulators and machines per domain type as well as per arch.
                emulator = emulator or text_of(domain, "emulator")
                _extend(machines, domain.findall("machine"))
    return {"domain_types": domain_types, "emulator": emulator, "machines": machines}


def _extend(machines: list, elements: list) -> None:
    for element in elements:
        name = text_of(element)
        if name and name not in machines:
            machines.append(name)
