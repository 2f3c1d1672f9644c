# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A libvirt domain's IP addresses, from every source libvirt has, none of them required.

In order: the DHCP leases of the libvirt networks the domain's NICs are on (matched by MAC: they need nothing in
the guest), then the guest agent (the guest's own view, static addresses included, when qemu-guest-agent runs),
then the host's ARP table (addresses the guest has used on the wire). A source that is unavailable (no agent, no
lease, a network without DHCP, an older libvirt) adds nothing and never fails the call: a VM without an address
yet is a normal state, not an error.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.address_scope import keep_usable
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import error_code, libvirt
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.xmlutil import parse_root

# libvirt's VIR_IP_ADDR_TYPE_IPV4 / _IPV6 (the same numbers in leases and in interfaceAddresses)
FAMILIES = {0: "inet", 1: "inet6"}
# the numbers of VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT and _ARP, for bindings older than the constants
SOURCE_AGENT = getattr(libvirt, "VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT", 1) if libvirt else 1
SOURCE_ARP = getattr(libvirt, "VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP", 2) if libvirt else 2


def domain_nics(xml: str, name: str) -> list:
    """[{"mac", "network", "target"}] of the domain's NICs, from its live (or inactive) XML."""
    try:
        root = parse_root(xml, f"domain {name!r}", "domain")
    except LibvirtXmlError as error:
        raise DriverError("hypervisor", str(error)) from None
    nics = []
    for iface in root.findall("./devices/interface"):
        mac = iface.find("mac")
        source = iface.find("source")
        target = iface.find("target")
        nics.append(
            {
                "mac": (mac.get("address") or "").lower() if mac is not None else "",
                "network": source.get("network") if source is not None and iface.get("type") == "network" else None,
                "target": target.get("dev") if target is not None else None,
            }
        )
    return [nic for nic in nics if nic["mac"]]


def from_leases(nics: list, leases_of) -> list:
    """Addresses out of libvirt's DHCP leases (``virNetworkGetDHCPLeases`` dicts) matching the NICs' MACs.

    ``leases_of(network)`` returns a network's lease list, or None when it cannot be read.
    """
    found = []
    by_network = {}
    for nic in nics:
        if nic["network"] and nic["network"] not in by_network:
            by_network[nic["network"]] = leases_of(nic["network"]) or []
    for nic in nics:
        for lease in by_network.get(nic["network"], []):
            family = FAMILIES.get(lease.get("type"))
            if (lease.get("mac") or "").lower() != nic["mac"] or not family or not lease.get("ipaddr"):
                continue
            found.append(_entry(nic["target"] or "", nic["mac"], family, lease["ipaddr"]))
    return found


def from_interface_addresses(nics: list, reported: dict) -> list:
    """Addresses out of ``virDomainInterfaceAddresses``' answer ({ifname: {"hwaddr", "addrs": [...]}}).

    Only interfaces with one of the domain's MACs count: the agent also reports the guest's loopback and any
    bridge or tunnel the guest made, which no one outside reaches it by.
    """
    macs = {nic["mac"] for nic in nics}
    found = []
    for ifname, info in sorted((reported or {}).items()):
        mac = (info.get("hwaddr") or "").lower()
        if mac not in macs:
            continue
        for addr in info.get("addrs") or []:
            family = FAMILIES.get(addr.get("type"))
            if family and addr.get("addr"):
                found.append(_entry(ifname, mac, family, addr["addr"]))
    return found


def merge(*sources) -> list:
    """The sources' addresses in order, each address once (the first source that saw it names its interface)."""
    seen = set()
    merged = []
    for source in sources:
        for entry in source:
            key = (entry["mac"], entry["family"], entry["address"])
            if key not in seen:
                seen.add(key)
                merged.append(entry)
    return merged


def _entry(interface, mac, family, address):
    return {"interface": interface, "mac": mac, "family": family, "address": address}


def _leases_reader(conn):
    def leases_of(network):
        try:
            return conn.networkLookupByName(network).DHCPLeases()
        except libvirt.libvirtError:
            return None  # a network gone, inactive or without DHCP has no leases to give

    return leases_of


def _ask_domain(dom, source):
    try:
        return dom.interfaceAddresses(source, 0)
    except libvirt.libvirtError:
        # no agent in the guest (or not answering), a shut-off domain, a libvirt without ARP support: no answer
        return {}


def addresses(conn, name: str, include_link_local: bool = False) -> list:
    """The domain's addresses as [{"interface", "mac", "family", "address"}]; [] when none is known yet.

    Loopback addresses (and link-local ones unless asked for) are left out, as everywhere (address_scope).
    """
    try:
        dom = conn.lookupByName(name)
        xml = dom.XMLDesc(0)
        active = dom.isActive()
    except libvirt.libvirtError as error:
        if error_code(error) == libvirt.VIR_ERR_NO_DOMAIN:
            raise DriverError("hypervisor", f"VM {name!r} does not exist on this host") from None
        raise DriverError("hypervisor", f"cannot read VM {name!r}: {error.get_error_message()}") from None
    if not active:
        return []  # dnsmasq keeps a stopped guest's lease until it expires: nothing answers at that address
    nics = domain_nics(xml, name)
    leases = from_leases(nics, _leases_reader(conn))
    agent = from_interface_addresses(nics, _ask_domain(dom, SOURCE_AGENT))
    arp = from_interface_addresses(nics, _ask_domain(dom, SOURCE_ARP))
    return keep_usable(merge(leases, agent, arp), include_link_local)
