# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``interfaces[]`` entries of the host record: libvirt networks, host interfaces and SR-IOV physical functions.

Three libvirt documents describe what a VM NIC can attach to: a virtual network (``virNetworkGetXMLDesc``), a host
interface managed by netcf/NetworkManager (``virInterfaceGetXMLDesc``) and a PCI node device that offers virtual
functions (``virNodeDeviceGetXMLDesc``). Each becomes one record entry; the caller merges entries that name the
same device and counts used VFs from the domains.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.interfaces import interface_entry
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.xmlutil import (
    int_attr,
    parse_root,
    pci_address,
    pci_address_of,
    text_of,
    to_int,
)

# netcf interface types and the record's names for them.
_HOST_TYPES = {"ethernet": "physical", "bridge": "bridge", "bond": "bond", "vlan": "vlan"}


def parse_network(xml: str, active: bool) -> dict:
    """A libvirt virtual network as an interface of type ``network``.

    ``forward_mode`` is None for an isolated network (no ``<forward>``) and ``nat`` for a bare ``<forward/>``,
    libvirt's default. ``vlans`` holds the network's tags and those of its portgroups. ``forward_devices`` lists
    the host devices a ``bridge`` (macvtap), ``passthrough`` or ``hostdev`` network hands out (``<pf dev>`` and
    ``<interface dev>``), so an SR-IOV pool network can be tied to its physical function. The network called
    ``default`` is the default interface, as on a fresh libvirt host.
    """
    root = parse_root(xml, "network", "network")
    name = text_of(root, "name")
    if name is None:
        raise LibvirtXmlError("network: <network> has no <name>")
    what = f"network {name!r}"
    entry = interface_entry(name, "network", active)
    forward = root.find("forward")
    bridge = root.find("bridge")
    ips = root.findall("ip")
    ranges = [
        f"{dhcp_range.get('start')}-{dhcp_range.get('end')}"
        for ip in ips
        for dhcp_range in ip.findall("dhcp/range")
        if dhcp_range.get("start") and dhcp_range.get("end")
    ]
    entry.update(
        networks=[name],
        forward_mode=None if forward is None else forward.get("mode", "nat"),
        bridge=bridge.get("name") if bridge is not None else None,
        dhcp=any(ip.find("dhcp") is not None for ip in ips),
        dhcp_ranges=ranges,
        subnets=_unique(_subnet(ip, what) for ip in ips),
        vlans=sorted(set(_tags(root.findall("vlan/tag"), what) + _tags(root.findall("portgroup/vlan/tag"), what))),
        default=name == "default",
        forward_devices=[] if forward is None else _forward_devices(forward),
    )
    return entry


def parse_host_interface(xml: str, active: bool) -> dict | None:
    """A host interface (bridge, ethernet, bond, vlan) as a record interface; None for other types.

    ``members`` are the bridge ports, the bond slaves or the VLAN's parent; ``subnets`` come from the addresses
    configured on the interface. ``dhcp`` stays False: a ``<dhcp/>`` there means the host is a DHCP *client*.
    """
    root = parse_root(xml, "host interface", "interface")
    name = root.get("name")
    if not name:
        raise LibvirtXmlError("host interface: <interface> has no name attribute")
    kind = _HOST_TYPES.get(root.get("type"))
    if kind is None:
        return None
    what = f"host interface {name!r}"
    entry = interface_entry(name, kind, active)
    members: list = []
    if kind == "bridge":
        entry["bridge"] = name
        members = [port.get("name") for port in root.findall("bridge/interface") if port.get("name")]
    elif kind == "bond":
        members = [slave.get("name") for slave in root.findall("bond/interface") if slave.get("name")]
    elif kind == "vlan":
        vlan = root.find("vlan")
        if vlan is None:
            raise LibvirtXmlError(f"{what}: a vlan interface has no <vlan> element")
        entry["vlans"] = [_vlan_id(int_attr(vlan, "tag", what), what)]
        members = [parent.get("name") for parent in vlan.findall("interface") if parent.get("name")]
    entry.update(
        members=members,
        subnets=_unique(_subnet(ip, what) for ip in root.findall("protocol/ip")),
        mac=root.find("mac").get("address") if root.find("mac") is not None else None,
    )
    return entry


def parse_sriov_pf(pci_xml: str, net_names: list) -> dict | None:
    """The SR-IOV side of a PCI node device: None unless it offers virtual functions.

    ``name`` is the first of ``net_names`` (the kernel interfaces of the device, from its ``net`` child node
    devices), else the node device name. ``vf_addresses`` are the PCI addresses of the VFs that exist now;
    ``sriov_max_vf`` is what the device can offer (``maxCount``, or the VFs listed when libvirt gives no count).
    ``sriov_used_vf`` is 0: which VFs are in use is only known from the domains.
    """
    root = parse_root(pci_xml, "node device", "device")
    device_name = text_of(root, "name")
    if device_name is None:
        raise LibvirtXmlError("node device: <device> has no <name>")
    what = f"node device {device_name!r}"
    pci = root.find("capability[@type='pci']")
    if pci is None:
        return None
    functions = pci.find("capability[@type='virt_functions']")
    if functions is None:
        return None
    vf_addresses = [pci_address_of(address, f"{what}: virtual function") for address in functions.findall("address")]
    max_vf = int_attr(functions, "maxCount", what, default=len(vf_addresses))
    numa = pci.find("numa")
    # The kernel reports -1 for "no node" and libvirt then leaves <numa> out; accept both.
    node = int_attr(numa, "node", what, default=None, minimum=None) if numa is not None else None
    entry = interface_entry(net_names[0] if net_names else device_name, "physical", True)
    entry.update(
        numa_node=node if node is not None and node >= 0 else None,
        sriov_max_vf=max_vf,
        pci_address=pci_address(
            text_of(pci, "domain") or "0", text_of(pci, "bus"), text_of(pci, "slot"), text_of(pci, "function"), what
        ),
        vf_addresses=vf_addresses,
        node_device=device_name,
    )
    return entry


def _forward_devices(forward) -> list:
    devices = [pf.get("dev") for pf in forward.findall("pf")] + [dev.get("dev") for dev in forward.findall("interface")]
    return [device for device in devices if device]


def _tags(tags: list, what: str) -> list:
    return [_vlan_id(int_attr(tag, "id", what), what) for tag in tags]


def _vlan_id(tag: int, what: str) -> int:
    if not 0 <= tag <= 4095:
        raise LibvirtXmlError(f"{what}: VLAN tag {tag} is outside 0..4095")
    return tag


def _unique(values) -> list:
    result = []
    for value in values:
        if value is not None and value not in result:
            result.append(value)
    return result


def _subnet(ip, what: str) -> str | None:
    """CIDR of the network an ``<ip address prefix|netmask>`` element sits in (``192.168.122.0/24``)."""
    address = ip.get("address")
    if not address:
        return None
    prefix = ip.get("prefix")
    netmask = ip.get("netmask")
    if prefix is not None:
        suffix = str(to_int(prefix, f"{what}: <ip address='{address}'> prefix"))
    elif netmask is not None:
        suffix = netmask
    else:
        suffix = _default_prefix(address)
    try:
        return str(ipaddress.ip_interface(f"{address}/{suffix}").network)
    except ValueError as err:
        raise LibvirtXmlError(f"{what}: <ip address='{address}'> is not a usable address ({err})") from None


def _default_prefix(address: str) -> str:
    """libvirt's own default when an IPv4 address has neither prefix nor netmask: the old class A/B/C mask."""
    if ":" in address:
        return "64"
    first = address.split(".", 1)[0]
    octet = int(first) if first.isdigit() else 0
    if octet < 128:
        return "8"
    if octet < 192:
        return "16"
    return "24"
