# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Discovery: one libvirt host into a host record, plus the driver's own view of its domains.

The record is the capacity view (what the core needs and the modules return); ``Inventory.domains`` keeps what
only the driver needs to compose and remove VMs (vcpupin, max memory, the volumes a VM owns, the request it
was made from). Pure parsing lives in ``read/``; this module only asks libvirt and joins the pieces.
"""

from __future__ import annotations

import time

from ansible_collections.vmfleet.hosts.plugins.module_utils import drift
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.vm_entry import vm_entry
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.contract import Inventory
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.host_record import host_record
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.interfaces import apply_networks
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import meta_pool
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import error_code, libvirt
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.capabilities import (
    parse_capabilities,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.domain import parse_domain
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.networks import (
    parse_host_interface,
    parse_network,
    parse_sriov_pf,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.pools import parse_pool

MIB = 1024 * 1024
# A pool busy building a volume refuses a refresh; an image copy takes seconds to minutes, so wait up to a minute
_REFRESH_TRIES = 120
_REFRESH_PAUSE = 0.5
# The kernel's default hugepage size on x86_64; used for domains that ask for hugepages without a size.
DEFAULT_HUGEPAGE = 2 * MIB


def _ask(what, call, *args):
    try:
        return call(*args)
    except libvirt.libvirtError as error:
        raise DriverError("hypervisor", f"cannot {what}: {error.get_error_message() or error}") from None


def _refresh(pool, name: str) -> None:
    """Re-read an active pool from its storage before its figures are used (capacity rule 6).

    libvirt keeps a pool's capacity, allocation and free space from its last refresh (its start, or a volume
    created through libvirt); whatever else wrote to the filesystem since is invisible until the pool is
    refreshed. A refresh re-scans the pool's volumes, so it costs a little per volume (see docs/libvirt.md).
    libvirt refuses it while the pool builds a volume (another job copying an image): that is retried briefly.
    """
    for attempt in range(_REFRESH_TRIES):
        try:
            pool.refresh(0)
            return
        except libvirt.libvirtError as error:
            message = error.get_error_message() or str(error)
            if "asynchronous jobs" in message and attempt + 1 < _REFRESH_TRIES:
                time.sleep(_REFRESH_PAUSE)
                continue
            raise DriverError(
                "hypervisor",
                f"cannot refresh storage pool {name!r}, so its free space is not known: {message}; nothing was "
                f"changed (the figures libvirt kept may be stale, and capacity is never decided on them)",
            ) from None


def _pools(conn):
    pools, by_path = [], {}
    for pool in _ask("list storage pools", conn.listAllStoragePools, 0):
        name = pool.name()
        if name == meta_pool.META_POOL:
            continue  # vmfleet's own policy and lock volumes, not room for VM disks
        active = bool(pool.isActive())
        volumes = []
        if active:
            _refresh(pool, name)
            for vol in _ask(f"list the volumes of pool {name!r}", pool.listAllVolumes, 0):
                try:
                    _kind, capacity, allocation = vol.info()
                    path, vol_name = vol.path(), vol.name()
                except libvirt.libvirtError as error:
                    if error_code(error) == libvirt.VIR_ERR_NO_STORAGE_VOL:
                        continue  # deleted by another job while we listed the pool
                    raise DriverError("hypervisor", f"cannot read a volume of pool {name!r}: {error}") from None
                volumes.append((vol_name, path, capacity, allocation))
                by_path[path] = (name, vol_name, capacity)
        info = _ask(f"read storage pool {name!r}", pool.info) if active else [0, 0, 0, 0]
        entry = parse_pool(_ask(f"read storage pool {name!r}", pool.XMLDesc, 0), list(info), volumes)
        entry["active"] = active
        pools.append(entry)
    return pools, by_path


def _interfaces(conn):
    interfaces = []
    for net in _ask("list networks", conn.listAllNetworks, 0):
        interfaces.append(parse_network(net.XMLDesc(0), bool(net.isActive())))
    try:
        host_ifaces = conn.listAllInterfaces(0)
    except libvirt.libvirtError:
        host_ifaces = []  # libvirt built without an interface backend: bridges are then declared in the policy
    for iface in host_ifaces:
        entry = parse_host_interface(iface.XMLDesc(0), bool(iface.isActive()))
        if entry is not None and not any(i["name"] == entry["name"] for i in interfaces):
            interfaces.append(entry)
    pfs = []
    flags = getattr(libvirt, "VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV", 0)
    devices = _ask("list node devices", conn.listAllDevices, flags) if flags else []
    nets_of = {}
    for dev in _ask("list node devices", conn.listAllDevices, 0):
        if "net" in dev.listCaps():
            nets_of.setdefault(dev.parent(), []).append(_net_name(dev))
    for dev in devices:
        entry = parse_sriov_pf(dev.XMLDesc(0), nets_of.get(dev.name(), []))
        if entry is not None:
            pfs.append(entry)
    for pf in pfs:
        existing = [i for i in interfaces if i["name"] == pf["name"]]
        if existing:
            existing[0].update({k: pf[k] for k in ("numa_node", "sriov_max_vf") if pf.get(k) is not None})
            existing[0]["vf_addresses"] = pf.get("vf_addresses", [])
        else:
            interfaces.append(pf)
    return interfaces


def _net_name(dev):
    """The kernel name of a net node device (net_eth0_52_54_.. -> eth0), read from its XML."""
    xml = dev.XMLDesc(0)
    start = xml.find("<interface>")
    end = xml.find("</interface>")
    return xml[start + len("<interface>") : end] if start >= 0 and end > start else dev.name()


def _domain(dom, volume_of):
    """A domain as its persistent definition says (what it gets at its next start, and our metadata).

    A running domain may still run with more than that (a resize waiting for a restart): it is counted at the
    larger of the two, since it holds that much until it restarts.
    """
    state = dom.state()[0]
    vm = parse_domain(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE), state, volume_of)
    if dom.isActive():
        live = parse_domain(dom.XMLDesc(0), state, volume_of)
        for key in ("cores", "max_cores", "memory", "max_memory"):
            vm[key] = max(vm[key], live[key])
    return vm


def _hugepages(vm, numa):
    """Pages per node for a hugepage-backed domain (libvirt states the size and nodes, not the split).

    A hugepage-backed guest takes all of its maximum memory in pages, whatever its balloon says.
    """
    size = vm["hugepage_size"] or DEFAULT_HUGEPAGE
    pages = max(vm["memory"], vm["max_memory"]) * MIB // size
    nodes = vm["numanode_set"] or [numa[0]["node_id"]]
    share, rest = divmod(pages, len(nodes))
    return [
        {"node_id": node, "page_size": size, "count": share + (1 if i < rest else 0)} for i, node in enumerate(nodes)
    ]


def _disk_names(vm):
    """(pool, volume) -> the disk's name in the request a VM was composed from (root, data ...).

    The volumes in our metadata follow the request's disks in order; a domain we did not compose keeps its guest
    device names (vda ...).
    """
    request = (vm["metadata"].get("request") or {}).get("request") or {}
    disks = request.get("disks") or []
    volumes = vm["metadata"].get("volumes") or []
    return {(v["pool"], v["name"]): d["name"] for v, d in zip(volumes, disks)}


def _asked_nics(vm):
    """NICs as they were asked for (name, space, subnet, ip), by the position they were rendered at."""
    return dict(enumerate(((vm["metadata"].get("request") or {}).get("request") or {}).get("interfaces") or []))


def _drift(vm, sizes, pools, networks, cores):
    """What of a domain we composed was removed or changed outside the collection (see drift.py).

    Everything compared was read already (every active pool's volumes, the networks, the host's cores): no call
    per domain. Only libvirt networks are checked for NICs: a bridge or macvlan parent is a host interface, and
    libvirt may list none (no interface backend), so its absence proves nothing.
    """
    if not vm["metadata"]["managed"]:
        return []
    asked = _asked_nics(vm)
    nics = [
        {"name": asked.get(index, {}).get("name") or n["name"], "network": n.get("network")}
        for index, n in enumerate(vm["interfaces"])
        if n["type"] == "network"
    ]
    attached = {(d["pool"], d["volume"]) for d in vm["disks"] if d["pool"]}
    owned = drift.owned_volumes(vm["metadata"])
    return drift.detect(owned, sizes, attached, pools, nics, networks, vm["pinned_cores"], cores)


def _allocation(vm, host, numa, sizes):
    """A domain in the record's vms[] shape (the capacity view)."""
    names = _disk_names(vm)
    asked = _asked_nics(vm)
    # a missing or shrunk volume shows the size the VM still claims (and is counted at), with its drift
    claimed = drift.claimed_sizes(vm["drift"])
    return vm_entry(
        vm["name"],
        host,
        vm["cores"],
        # counted at its maximum: the balloon may give the guest that much at any time
        max(vm["memory"], vm["max_memory"]),
        pinned_cores=vm["pinned_cores"],
        hugepages_backed=vm["hugepages_backed"],
        hugepages=_hugepages(vm, numa) if vm["hugepages_backed"] else [],
        numanode_set=vm["numanode_set"],
        disks=[
            {
                "name": names.get((d["pool"], d["volume"]), d["name"]),
                "pool": d["pool"],
                "size": claimed.get((d["pool"], d["volume"])) or sizes.get((d["pool"], d["volume"]), 0),
            }
            for d in vm["disks"]
            if d["pool"] and d["device"] == "disk"
        ],
        interfaces=[
            {
                "name": asked.get(index, {}).get("name") or n["name"],
                "host_interface": n.get("host_interface") or n.get("network") or n.get("bridge"),
                "mode": n["mode"],
                "network": n.get("network"),
                "bridge": n.get("bridge"),
                "space": asked.get(index, {}).get("space"),
                "subnet": asked.get(index, {}).get("subnet"),
                "vlan": n.get("vlan"),
                "ip": asked.get(index, {}).get("ip"),
                "mac": n.get("mac"),
                "macvlan_mode": n.get("macvlan_mode"),
                "vf": bool(n.get("vf")),
            }
            for index, n in enumerate(vm["interfaces"])
        ],
        power_state=vm["power_state"],
        pool=vm["pool"],
        tags=vm["tags"],
        drift=drift.public(vm["drift"]),
    )


def _count_vfs(interfaces, domains):
    """Count the VFs domains use per SR-IOV NIC; return the free VF PCI addresses per NIC."""
    in_use = {address for vm in domains.values() for address in vm.get("pci_hostdevs", [])}
    free = {}
    for iface in interfaces:
        vfs = iface.pop("vf_addresses", None) or []
        iface["sriov_used_vf"] = sum(1 for address in vfs if address in in_use)
        free[iface["name"]] = [address for address in vfs if address not in in_use]
    return free


def discover(conn, policy: dict) -> Inventory:
    """The host as a record under ``policy`` (see spec.host_policy), and its domains."""
    caps = parse_capabilities(_ask("read the host capabilities", conn.getCapabilities))
    host = _ask("read the host name", conn.getHostname)
    pools, by_path = _pools(conn)
    interfaces = _interfaces(conn)
    sizes = {(pool, vol): capacity for pool, vol, capacity in by_path.values()}

    def volume_of(path):
        found = by_path.get(path)
        return (found[0], found[1]) if found else None

    domains = {}
    for dom in _ask("list domains", conn.listAllDomains, 0):
        try:
            domains[dom.name()] = _domain(dom, volume_of)
        except libvirt.libvirtError as error:
            if error_code(error) == libvirt.VIR_ERR_NO_DOMAIN:
                continue  # undefined by another job while we listed the domains
            raise DriverError("hypervisor", f"cannot read a domain: {error}") from None
    networks = {i["name"] for i in interfaces if i["type"] == "network"}
    pool_active = {p["name"]: p["active"] for p in pools}
    cores = {cpu["id"] for node in caps["numa"] for cpu in node["cpus"] if cpu.get("online", True)}
    for vm in domains.values():
        vm["drift"] = _drift(vm, sizes, pool_active, networks, cores)
    # rule 6: what a drifted volume still claims stays used (drift.py says why)
    drift.charge(pools, [finding for vm in domains.values() for finding in vm["drift"]])
    free_vfs = _count_vfs(interfaces, domains)
    apply_networks(interfaces, policy.get("networks") or [], "a libvirt network or host interface")
    vms = [_allocation(vm, host, caps["numa"], sizes) for vm in domains.values()]
    hardware_id = f"libvirt:{caps['uuid']}" if caps.get("uuid") else None
    record = host_record(host, "libvirt", hardware_id, policy, caps["numa"], pools, interfaces, vms)
    return Inventory(record, domains, caps, free_vfs)
