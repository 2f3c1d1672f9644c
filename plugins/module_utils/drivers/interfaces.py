# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every driver's ``interfaces[]`` entries share: the blank entry, and the policy's declared networks.

The host record has one shape whatever the hypervisor, so the keys an interface entry starts with, and how
vm_host's ``networks`` add VLANs, subnets, spaces and the default to what discovery found, live here once.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError


def interface_entry(name: str, kind: str, active: bool) -> dict:
    """The keys every interface entry has, with the values of an interface that offers nothing in particular."""
    return {
        "name": name,
        "type": kind,
        "networks": [],
        "forward_mode": None,
        "bridge": None,
        "dhcp": False,
        "dhcp_ranges": [],
        "subnets": [],
        "vlans": [],
        "active": bool(active),
        "numa_node": None,
        "sriov_max_vf": 0,
        "sriov_used_vf": 0,
        "spaces": [],
        "default": False,
    }


def apply_networks(interfaces: list, declared: list, found_as: str) -> None:
    """Declared networks (vm_host's ``networks``) add VLANs, subnets, spaces and the default to what was found.

    A declared name discovery did not find is refused; ``found_as`` says what it should have been on this host.
    """
    names = {i["name"] for i in interfaces}
    for net in declared:
        if net["name"] not in names:
            raise DriverError(
                "hypervisor",
                f"networks: {net['name']!r} is declared in the policy but is not {found_as} here "
                f"(found: {', '.join(sorted(names)) or 'none'})",
            )
    if any(net["default"] for net in declared):
        for iface in interfaces:
            iface["default"] = False
    for iface in interfaces:
        for net in declared:
            if net["name"] == iface["name"]:
                iface["vlans"] = sorted(set(iface.get("vlans", [])) | set(net["vlans"]))
                iface["subnets"] = sorted(set(iface.get("subnets", [])) | set(net["subnets"]))
                iface["spaces"] = sorted(set(iface.get("spaces", [])) | set(net["spaces"]))
                iface["default"] = iface["default"] or net["default"]
