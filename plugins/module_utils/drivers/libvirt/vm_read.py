# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The targeted read of one domain: what discovery finds of it, without reading the rest of the host.

An unchanged re-run of vm_compose needs one VM's metadata, stored request and drift. Discovery gets the drift
from what it read of the whole host (every pool refreshed and listed, every network, the capabilities); here the
same inputs are asked for this domain only: the pools and volumes it owns, the networks its NICs are on, and the
host's cores only when it is pinned or hugepage-backed. drift.detect and discovery's own helpers judge them, so
the entry is the one discovery would build.

Where this read cannot be sure, it errs towards drift: a volume libvirt cannot look up or measure counts as gone.
The caller then goes the locked way, whose full discovery decides.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import discovery
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import error_code, libvirt
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.capabilities import (
    parse_capabilities,
)


def _lookup_domain(conn, name: str):
    try:
        return conn.lookupByName(name)
    except libvirt.libvirtError as error:
        if error_code(error) == libvirt.VIR_ERR_NO_DOMAIN:
            return None
        raise DriverError("hypervisor", f"cannot look up VM {name!r}: {error.get_error_message()}") from None


def _volume_of(conn):
    """``volume_of(path)`` for parse_domain: the (pool, volume) a file or block disk is, None outside every pool."""

    def volume_of(path):
        try:
            vol = conn.storageVolLookupByPath(path)
            return (vol.storagePoolLookupByVolume().name(), vol.name())
        except libvirt.libvirtError:
            return None  # not a volume of an active pool: discovery would not map it either

    return volume_of


def _pool_state(conn, name: str, pools: dict, handles: dict) -> None:
    """``pools[name]``: whether the pool is active; absent when it does not exist (as discovery's map)."""
    if name in pools or name is None:
        return
    try:
        pool = conn.storagePoolLookupByName(name)
        pools[name] = bool(pool.isActive())
    except libvirt.libvirtError as error:
        if error_code(error) == libvirt.VIR_ERR_NO_STORAGE_POOL:
            return
        raise DriverError("hypervisor", f"cannot look up storage pool {name!r}: {error.get_error_message()}") from None
    handles[name] = pool


def _capacity(pool, name: str):
    """A volume's capacity in bytes, or None when the pool does not have it (or it cannot be measured any more).

    ``info()`` has libvirt re-read the volume from its storage, so a file shrunk or removed behind libvirt's back
    shows here as it would after discovery's pool refresh.
    """
    try:
        return pool.storageVolLookupByName(name).info()[1]
    except libvirt.libvirtError:
        return None


def read_vm(conn, name: str):
    """``(domain, vm)`` for domain ``name``, as ``discovery.discover`` builds its ``domains[name]`` and ``vms[]``
    entry; None when there is no such domain."""
    dom = _lookup_domain(conn, name)
    if dom is None:
        return None
    try:
        vm = discovery._domain(dom, _volume_of(conn))
    except libvirt.libvirtError as error:
        if error_code(error) == libvirt.VIR_ERR_NO_DOMAIN:
            return None  # undefined by another job while it was read
        raise DriverError("hypervisor", f"cannot read VM {name!r}: {error.get_error_message()}") from None
    pools, handles, sizes = {}, {}, {}
    wanted = {(d["pool"], d["volume"]) for d in vm["disks"] if d["pool"]}
    wanted |= {(v["pool"], v["name"]) for v in vm["metadata"].get("volumes") or []}
    for pool_name, volume in sorted(wanted, key=str):
        _pool_state(conn, pool_name, pools, handles)
        if pools.get(pool_name):
            capacity = _capacity(handles[pool_name], volume)
            if capacity is not None:
                sizes[(pool_name, volume)] = capacity
    networks = set()
    for nic in vm["interfaces"]:
        if nic.get("network") and _network_exists(conn, nic["network"]):
            networks.add(nic["network"])
    numa, cores = [], None
    if vm["pinned_cores"] or vm["hugepages_backed"]:
        caps = parse_capabilities(discovery._ask("read the host capabilities", conn.getCapabilities))
        numa = caps["numa"]
        cores = {cpu["id"] for node in numa for cpu in node["cpus"] if cpu.get("online", True)}
    vm["drift"] = discovery._drift(vm, sizes, pools, networks, cores)  # cores None: nothing pinned to check
    host = discovery._ask("read the host name", conn.getHostname)
    return vm, discovery._allocation(vm, host, numa, sizes)


def _network_exists(conn, name: str) -> bool:
    try:
        conn.networkLookupByName(name)
    except libvirt.libvirtError as error:
        if error_code(error) == libvirt.VIR_ERR_NO_NETWORK:
            return False
        raise DriverError("hypervisor", f"cannot look up network {name!r}: {error.get_error_message()}") from None
    return True
