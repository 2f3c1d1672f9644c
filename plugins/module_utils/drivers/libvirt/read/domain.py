# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A domain's XML as a ``vms[]`` allocation of the host record, plus the few keys the driver needs itself.

The allocation is what the domain *holds*, running or not (a stopped VM keeps its share so it can start again):
vCPUs, pinned host CPUs, memory in whole MiB (rounded up: a VM never takes less than it was given), hugepage
backing and the host NUMA nodes its memory is bound to. Hugepage counts per node are left to the caller, which
knows the host's page sizes.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.domain_devices import (
    device_boot_order,
    parse_disks,
    parse_interfaces,
    pci_hostdevs,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.metadata import parse_metadata
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

# virDomainState. "blocked" is a running VM waiting on I/O; "shutdown" is one still shutting down, holding
# everything it had: both are running as far as the record is concerned.
POWER_STATES = {
    0: "unknown",
    1: "running",
    2: "running",
    3: "paused",
    4: "running",
    5: "stopped",
    6: "crashed",
    7: "suspended",
}
# libvirt's default <numatune><memory> mode.
_DEFAULT_NUMATUNE_MODE = "strict"


def power_state(state: int) -> str:
    """The record's ``power_state`` for a ``virDomainState`` number; ``unknown`` for numbers libvirt may add."""
    if isinstance(state, bool) or not isinstance(state, int):
        raise LibvirtXmlError(f"domain state {state!r} is not a virDomainState number (dom.state()[0])")
    return POWER_STATES.get(state, "unknown")


def parse_domain(xml: str, state: int, volume_of) -> dict:
    """The allocation of one domain; ``state`` is ``dom.state()[0]``, ``volume_of(path)`` maps a disk path to
    ``(pool, volume)`` or None.

    Record keys: ``name``, ``cores``, ``pinned_cores``, ``memory`` (MiB), ``hugepages_backed``, ``numanode_set``,
    ``disks``, ``interfaces``, ``power_state``, ``pool``, ``tags``. Driver keys: ``uuid``, ``max_cores``,
    ``vcpupin`` ({vcpu: [host cpus]}), ``emulatorpin``, ``max_memory`` (MiB), ``hugepage_size`` (bytes; None for
    the host's default size), ``numatune_mode``, ``domain_type``, ``boot``, ``pci_hostdevs``, ``metadata``.
    """
    root = parse_root(xml, "domain", "domain")
    name = text_of(root, "name")
    if name is None:
        raise LibvirtXmlError("domain: <domain> has no <name>")
    what = f"domain {name!r}"
    cores, max_cores = _vcpus(root, what)
    vcpupin = _vcpupin(root, what)
    memory, max_memory = _memory(root, what)
    hugepages = root.find("memoryBacking/hugepages")
    nodes, mode = _numatune(root, what)
    devices = root.find("devices")
    metadata = parse_metadata(root.find("metadata"), what)
    return {
        "name": name,
        "uuid": text_of(root, "uuid"),
        "cores": cores,
        "max_cores": max_cores,
        "pinned_cores": sorted({cpu for cpus in vcpupin.values() for cpu in cpus}),
        "vcpupin": vcpupin,
        "emulatorpin": expand_cpuset(_attr(root.find("cputune/emulatorpin"), "cpuset"), f"{what}: <emulatorpin>"),
        "memory": memory,
        "max_memory": max_memory,
        "hugepages_backed": hugepages is not None,
        "hugepage_size": _hugepage_size(hugepages, what),
        "numanode_set": nodes,
        "numatune_mode": mode,
        "disks": parse_disks(devices, volume_of, what),
        "interfaces": parse_interfaces(devices, what),
        "pci_hostdevs": pci_hostdevs(devices, what),
        "power_state": power_state(state),
        "domain_type": root.get("type"),
        "boot": _boot(root, devices, what),
        "metadata": metadata,
        "pool": metadata["pool"],
        "tags": list(metadata["tags"]),
    }


def _attr(element, name: str):
    return element.get(name) if element is not None else None


def _vcpus(root, what: str) -> tuple:
    """(current vCPUs, maximum vCPUs); libvirt's default is one vCPU when ``<vcpu>`` is absent."""
    vcpu = root.find("vcpu")
    if vcpu is None:
        return 1, 1
    maximum = int_text(vcpu, what, minimum=1)
    current = int_attr(vcpu, "current", what, default=maximum, minimum=1)
    if current > maximum:
        raise LibvirtXmlError(f"{what}: {describe(vcpu)} has {current} current vCPUs, more than its {maximum}")
    return current, maximum


def _vcpupin(root, what: str) -> dict:
    pins = {}
    for pin in root.findall("cputune/vcpupin"):
        vcpu = int_attr(pin, "vcpu", f"{what}: <vcpupin>")
        if vcpu in pins:
            raise LibvirtXmlError(f"{what}: vCPU {vcpu} is pinned twice")
        pins[vcpu] = expand_cpuset(pin.get("cpuset"), f"{what}: <vcpupin vcpu='{vcpu}'>")
    return dict(sorted(pins.items()))


def _memory(root, what: str) -> tuple:
    """(memory, maximum memory) in MiB, from ``<currentMemory>`` (the balloon target) and ``<memory>``."""
    maximum = root.find("memory")
    if maximum is None:
        raise LibvirtXmlError(f"{what}: there is no <memory> element")
    max_mib = bytes_to_mib(element_bytes(maximum, what, "KiB"), round_up=True)
    current = root.find("currentMemory")
    if current is None:
        return max_mib, max_mib
    return bytes_to_mib(element_bytes(current, what, "KiB"), round_up=True), max_mib


def _hugepage_size(hugepages, what: str) -> int | None:
    """Bytes per page: of the ``<page>`` that applies to all guest nodes (no ``nodeset``), else of the first.

    An empty ``<hugepages/>`` means the host's default hugepage size: None, which the caller resolves.
    """
    if hugepages is None:
        return None
    pages = hugepages.findall("page")
    if not pages:
        return None
    page = next((page for page in pages if page.get("nodeset") is None), pages[0])
    size = page.get("size")
    if size is None:
        raise LibvirtXmlError(f"{what}: {describe(page)} has no size attribute")
    return to_bytes(size, page.get("unit"), default="KiB", what=f"{what}: {describe(page)}")


def _numatune(root, what: str) -> tuple:
    """(host NUMA nodes the memory is bound to, mode) from ``<numatune>``.

    ``<memory nodeset>`` binds all of it; without one, the union of the ``<memnode>`` nodesets (per guest node)
    is what it touches. ``placement='auto'`` leaves the nodes to numad: no nodes until the domain runs.
    """
    memory = root.find("numatune/memory")
    mode = memory.get("mode", _DEFAULT_NUMATUNE_MODE) if memory is not None else None
    if memory is not None and memory.get("nodeset"):
        return expand_cpuset(memory.get("nodeset"), f"{what}: <numatune><memory>"), mode
    nodes = set()
    for memnode in root.findall("numatune/memnode"):
        nodes.update(expand_cpuset(memnode.get("nodeset"), f"{what}: <memnode>"))
    return sorted(nodes), mode


def _boot(root, devices, what: str) -> list:
    """``<os><boot dev>`` in order (``hd``, ``network``, ``cdrom``, ``fd``), else per-device boot order."""
    order = [boot.get("dev") for boot in root.findall("os/boot") if boot.get("dev")]
    return order or device_boot_order(devices, what)
