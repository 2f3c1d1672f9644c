# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which host interface carries each NIC (rule 7 and the network constraints).

A NIC names where it goes (network, bridge) or what it needs (space, subnet, VLAN, IP); the host interface must
offer all of it. ``bridge`` mode attaches to a bridge or a managed network, ``macvlan`` sits on a physical NIC or
bond, ``sriov`` takes a free VF of an SR-IOV NIC, preferring one on the VM's NUMA node.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError

STAGE_NETWORK, STAGE_SRIOV = 7, 8
MODE_TYPES = {
    "bridge": ("bridge", "network"),
    "macvlan": ("physical", "bond", "vlan"),
    "sriov": ("physical",),
}


def _matches(iface, nic) -> bool:
    if (
        nic["network"]
        and nic["network"] not in iface.networks
        and not (iface.type == "network" and iface.name == nic["network"])
    ):
        return False
    if nic["bridge"] and iface.name != nic["bridge"]:
        return False
    if nic["space"] and nic["space"] not in iface.spaces:
        return False
    if nic["vlan"] is not None and nic["vlan"] not in iface.vlans:
        return False
    if nic["subnet"]:
        wanted = ipaddress.ip_network(nic["subnet"], strict=False)
        if not any(wanted.version == s.version and wanted.subnet_of(s) for s in iface.subnets):
            return False
    if nic["ip"]:
        address = ipaddress.ip_address(nic["ip"])
        if not any(address in s for s in iface.subnets):
            return False
    return True


def _constraints(nic) -> str:
    keys = ("network", "bridge", "space", "subnet", "vlan", "ip")
    text = ", ".join(f"{k}={nic[k]}" for k in keys if nic.get(k) not in (None, ""))
    return f"mode={nic['mode']}" + (f", {text}" if text else "")


def choose_interfaces(state, nics: list, numa_nodes: list) -> list:
    taken_vfs = {}
    placed = []
    for nic in nics:
        candidates = [i for i in state.interfaces if i.type in MODE_TYPES[nic["mode"]] and _matches(i, nic)]
        if not candidates:
            offered = ", ".join(f"{i.name} ({i.type})" for i in state.interfaces) or "none"
            raise CapacityError(
                state.name,
                "network",
                f"no host interface can carry NIC {nic['name']!r} ({_constraints(nic)}); interfaces: {offered}.",
                requested=_constraints(nic),
                stage=STAGE_NETWORK,
            )
        if nic["mode"] == "sriov":
            with_vf = [i for i in candidates if i.free_vf - taken_vfs.get(i.name, 0) > 0]
            if not with_vf:
                free = ", ".join(f"{i.name} {max(i.free_vf, 0)} of {i.sriov_max_vf}" for i in candidates)
                raise CapacityError(
                    state.name,
                    "sriov",
                    f"no free SR-IOV VF for NIC {nic['name']!r} ({_constraints(nic)}); free VFs: {free}.",
                    free=0,
                    requested=1,
                    stage=STAGE_SRIOV,
                )
            candidates = with_vf
        # Preference: the VM's NUMA node (matters for VFs), then the host's default interface, then room, then name.
        iface = min(
            candidates,
            key=lambda i: (
                nic["mode"] == "sriov" and i.numa_node not in numa_nodes,
                not i.default,
                -(i.free_vf - taken_vfs.get(i.name, 0)),
                i.name,
            ),
        )
        if nic["mode"] == "sriov":
            taken_vfs[iface.name] = taken_vfs.get(iface.name, 0) + 1
        placed.append(
            {
                "name": nic["name"],
                "host_interface": iface.name,
                "mode": nic["mode"],
                "network": nic["network"] or (iface.name if iface.type == "network" else None),
                "bridge": nic["bridge"] or (iface.name if iface.type == "bridge" else None),
                "space": nic["space"],
                "subnet": nic["subnet"],
                "vlan": nic["vlan"],
                "ip": nic["ip"],
                "mac": nic["mac"],
                "macvlan_mode": nic.get("macvlan_mode"),
                "vf": nic["mode"] == "sriov",
            }
        )
    return placed
