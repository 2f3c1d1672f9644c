# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``interfaces[]`` entries of the host record from LXD's networks, their state and the network cards.

LXD lists two kinds of network: managed ones it runs itself (a bridge with NAT and DHCP such as ``lxdbr0``,
macvlan, sriov, physical and OVN networks, which an instance NIC names with ``network:``) and the host's own
interfaces (physical NICs, bridges, bonds, VLANs, which an instance NIC names with ``parent:``). Addresses come
from ``/1.0/networks/<name>/state``; SR-IOV physical functions come from ``/1.0/resources`` network cards.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.interfaces import interface_entry
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.errors import LxdDataError, field

# Host interfaces an instance NIC can use as its parent; loopback and unknown devices (ifb ...) are left out.
HOST_TYPES = ("physical", "bridge", "bond", "vlan")
_TRUE = ("true", "1", "yes", "on")


def parse_network(network: dict, state) -> dict | None:
    """One LXD network as a record interface; None for loopback and devices LXD does not know.

    A managed network is of type ``network`` (``networks: [name]``); ``forward_mode`` is ``nat`` for a bridge
    that masquerades, ``route`` for one with addresses and no NAT, None for an isolated one, and LXD's network
    type (``macvlan``, ``sriov``, ``physical``, ``ovn``) otherwise. A host interface keeps LXD's type.
    ``subnets`` are the networks of the interface's global addresses (from ``state``, else the configured
    ``ipv4.address``/``ipv6.address``). ``members`` lists bridge ports, bond slaves or a VLAN's parent.
    """
    name = field(network, "name", "network", str)
    what = f"network {name!r}"
    kind = field(network, "type", what, str, default="unknown", required=False)
    managed = field(network, "managed", what, bool, default=False, required=False)
    config = field(network, "config", what, dict, default={}, required=False)
    state = state or {}
    if not managed and kind not in HOST_TYPES:
        return None
    if managed:
        active = field(network, "status", what, str, default="Created", required=False) == "Created"
    else:
        active = state.get("state", "up") == "up"
    entry = interface_entry(name, "network" if managed else kind, active)
    subnets = _state_subnets(state, what) or _config_subnets(config, what)
    entry["subnets"] = subnets
    entry["members"] = _members(state)
    if not managed:
        if kind == "bridge":
            entry["bridge"] = name
        vlan = state.get("vlan") or {}
        if kind == "vlan" and vlan.get("vid") is not None:
            entry["vlans"] = [_vlan_id(vlan["vid"], what)]
        return entry
    entry["networks"] = [name]
    if kind == "bridge":
        entry["bridge"] = name
        nat = any(_flag(config.get(key)) for key in ("ipv4.nat", "ipv6.nat"))
        entry["forward_mode"] = "nat" if nat else ("route" if subnets else None)
        v4 = config.get("ipv4.address") not in (None, "", "none")
        entry["dhcp"] = v4 and config.get("ipv4.dhcp", "true").lower() in _TRUE
        entry["dhcp_ranges"] = _ranges(config.get("ipv4.dhcp.ranges"))
    else:
        entry["forward_mode"] = kind
        entry["bridge"] = config.get("parent")
        if config.get("vlan"):
            entry["vlans"] = [_vlan_id(config["vlan"], what)]
    return entry


def default_network(profile) -> str | None:
    """The network (or parent interface) the first NIC of a profile attaches to: where LXD puts instances."""
    devices = field(profile or {}, "devices", "profile", dict, default={}, required=False)
    for _name, device in sorted(devices.items()):
        if device.get("type") == "nic":
            return device.get("network") or device.get("parent")
    return None


def sriov_cards(resources: dict) -> list:
    """SR-IOV physical functions among ``/1.0/resources`` network cards, as record interfaces.

    ``name`` is the card's first port (its kernel interface), else its PCI address; ``vf_addresses`` are the
    PCI addresses of the VFs that exist now and ``sriov_max_vf`` what the card can offer. ``sriov_used_vf`` is 0:
    which VFs are in use is only known from the instances.
    """
    network = field(resources, "network", "/1.0/resources", dict, default={}, required=False)
    found = []
    for index, card in enumerate(field(network, "cards", "/1.0/resources: network", list, default=[], required=False)):
        where = f"/1.0/resources: network.cards[{index}]"
        sriov = field(card, "sriov", where, dict, required=False)
        if not sriov:
            continue
        ports = field(card, "ports", where, list, default=[], required=False)
        pci = field(card, "pci_address", where, str, required=False)
        name = ports[0].get("id") if ports and ports[0].get("id") else pci
        if not name:
            raise LxdDataError(f"{where}: an SR-IOV card without ports or PCI address")
        node = field(card, "numa_node", where, int, required=False)
        entry = interface_entry(name, "physical", True)
        vfs = field(sriov, "vfs", f"{where}.sriov", list, default=[], required=False)
        entry.update(
            numa_node=node if node is not None and node >= 0 else None,
            sriov_max_vf=field(sriov, "maximum_vfs", f"{where}.sriov", int, default=len(vfs), required=False),
            pci_address=pci,
            vf_addresses=[vf.get("pci_address") for vf in vfs if vf.get("pci_address")],
        )
        found.append(entry)
    return found


def _flag(value) -> bool:
    return str(value).lower() in _TRUE if value is not None else False


def _members(state: dict) -> list:
    bridge, bond, vlan = state.get("bridge") or {}, state.get("bond") or {}, state.get("vlan") or {}
    members = list(bridge.get("upper_devices") or []) + list(bond.get("lower_devices") or [])
    if vlan.get("lower_device"):
        members.append(vlan["lower_device"])
    return members


def _state_subnets(state: dict, what: str) -> list:
    subnets = []
    for address in state.get("addresses") or []:
        if address.get("scope") != "global" or not address.get("address"):
            continue
        subnet = _subnet(f"{address['address']}/{address.get('netmask') or ''}".rstrip("/"), what)
        if subnet not in subnets:
            subnets.append(subnet)
    return subnets


def _config_subnets(config: dict, what: str) -> list:
    subnets = []
    for key in ("ipv4.address", "ipv6.address"):
        value = config.get(key)
        if value and value not in ("none", "auto") and "/" in value:
            subnets.append(_subnet(value, what))
    return subnets


def _subnet(cidr: str, what: str) -> str:
    try:
        return str(ipaddress.ip_interface(cidr).network)
    except ValueError as err:
        raise LxdDataError(f"{what}: {cidr!r} is not a usable address ({err})") from None


def _ranges(value) -> list:
    ranges = []
    for part in (value or "").split(","):
        part = part.strip()
        if part:
            ranges.append(part)
    return ranges


def _vlan_id(value, what: str) -> int:
    try:
        tag = int(value)
    except (TypeError, ValueError):
        raise LxdDataError(f"{what}: VLAN {value!r} is not a number") from None
    if not 0 <= tag <= 4095:
        raise LxdDataError(f"{what}: VLAN tag {tag} is outside 0..4095")
    return tag
