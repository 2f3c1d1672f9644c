# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which host interface carries each NIC (rule 7 and the network constraints).

A NIC names where it goes (network, bridge) or what it needs (space, subnet, VLAN, IP); the host interface must
offer all of it. A constraint given as a list is MAAS's repeated key: any one of the values will do; the
``not_`` lists exclude interfaces that offer any of theirs. ``bridge`` mode attaches to a bridge or a managed
network, ``macvlan`` sits on a physical NIC or bond, ``sriov`` takes a free VF of an SR-IOV NIC, preferring one
on the VM's NUMA node. As in MAAS, an ``sriov`` NIC whose network is on a VLAN interface of an SR-IOV NIC takes
a VF of that parent, tagged with the VLAN. An ``ip`` another VM of the host holds is refused (MAAS refused an
address already allocated).
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


def _options(nic, key) -> list:
    """The values a constraint allows (any of them), [] for no constraint."""
    value = nic.get(key)
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _offers_subnet(iface, cidr) -> bool:
    wanted = ipaddress.ip_network(cidr, strict=False)
    return any(wanted.version == s.version and wanted.subnet_of(s) for s in iface.subnets)


def _match(iface, nic):
    """The space, subnet and VLAN through which ``iface`` meets the NIC (None each where the NIC asks none), or
    None when it does not."""
    if (
        nic["network"]
        and nic["network"] not in iface.networks
        and not (iface.type == "network" and iface.name == nic["network"])
    ):
        return None
    if nic["bridge"] and iface.name != nic["bridge"]:
        return None
    spaces = [s for s in _options(nic, "space") if s in iface.spaces]
    vlans = [v for v in _options(nic, "vlan") if v in iface.vlans]
    subnets = [s for s in _options(nic, "subnet") if _offers_subnet(iface, s)]
    for key, found in (("space", spaces), ("vlan", vlans), ("subnet", subnets)):
        if _options(nic, key) and not found:
            return None
    if any(s in iface.spaces for s in nic.get("not_space") or []):
        return None
    if any(v in iface.vlans for v in nic.get("not_vlan") or []):
        return None
    if any(_offers_subnet(iface, s) for s in nic.get("not_subnet") or []):
        return None
    if nic["ip"]:
        address = ipaddress.ip_address(nic["ip"])
        if not any(address in s for s in iface.subnets):
            return None
        # the subnet the address is in, when the NIC gave alternatives
        subnets = [s for s in subnets if address in ipaddress.ip_network(s)] or subnets
    return (spaces or [None])[0], (subnets or [None])[0], (vlans or [None])[0]


def _candidates(state, nic) -> list:
    """(interface that carries the NIC, interface that met its constraints, space, subnet, VLAN) for each fit."""
    found = []
    by_name = {i.name: i for i in state.interfaces}
    for iface in state.interfaces:
        matched = _match(iface, nic)
        if matched is None:
            continue
        if iface.type in MODE_TYPES[nic["mode"]]:
            found.append((iface, iface, *matched))
        elif nic["mode"] == "sriov" and iface.type == "vlan":
            parent = _sriov_parent(iface, by_name)
            space, subnet, vlan = matched
            vid = vlan if vlan is not None else (iface.vlans[0] if len(iface.vlans) == 1 else None)
            if parent is not None and vid is not None:
                found.append((parent, iface, space, subnet, vid))
    return found


def _sriov_parent(vlan_iface, by_name):
    parents = [by_name[m] for m in vlan_iface.members if m in by_name]
    if len(parents) == 1 and parents[0].type == "physical" and parents[0].sriov_max_vf > 0:
        return parents[0]
    return None


def _constraints(nic) -> str:
    keys = ("network", "bridge", "space", "subnet", "vlan", "ip", "not_space", "not_subnet", "not_vlan")
    parts = []
    for key in keys:
        value = nic.get(key)
        if value in (None, "", []):
            continue
        shown = "|".join(str(v) for v in value) if isinstance(value, (list, tuple)) else value
        parts.append(f"{key}={shown}")
    text = ", ".join(parts)
    return f"mode={nic['mode']}" + (f", {text}" if text else "")


def _addresses_in_use(state) -> dict:
    used = {}
    for vm in state.vms:
        for nic in vm.get("interfaces") or []:
            if isinstance(nic, dict) and nic.get("ip"):
                used.setdefault(str(ipaddress.ip_address(nic["ip"])), vm["name"])
    return used


def choose_interfaces(state, nics: list, numa_nodes: list) -> list:
    taken_vfs = {}
    placed = []
    in_use = _addresses_in_use(state) if any(nic["ip"] for nic in nics) else {}
    for nic in nics:
        if nic["ip"] and nic["ip"] in in_use:
            raise CapacityError(
                state.name,
                "network",
                f"IP address {nic['ip']} for NIC {nic['name']!r} is already given to VM {in_use[nic['ip']]!r} on "
                "this host; choose a free address.",
                requested=nic["ip"],
                stage=STAGE_NETWORK,
            )
        candidates = _candidates(state, nic)
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
            with_vf = [c for c in candidates if c[0].free_vf - taken_vfs.get(c[0].name, 0) > 0]
            if not with_vf:
                cards = {c[0].name: c[0] for c in candidates}.values()
                free = ", ".join(f"{i.name} {max(i.free_vf, 0)} of {i.sriov_max_vf}" for i in cards)
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
        iface, met, space, subnet, vlan = min(
            candidates,
            key=lambda c: (
                nic["mode"] == "sriov" and c[0].numa_node not in numa_nodes,
                not (c[0].default or c[1].default),
                -(c[0].free_vf - taken_vfs.get(c[0].name, 0)),
                c[0].name,
                c[1].name,
            ),
        )
        if nic["mode"] == "sriov":
            taken_vfs[iface.name] = taken_vfs.get(iface.name, 0) + 1
        entry = {
            "name": nic["name"],
            "host_interface": iface.name,
            "mode": nic["mode"],
            "network": nic["network"] or (iface.name if iface.type == "network" else None),
            "bridge": nic["bridge"] or (iface.name if iface.type == "bridge" else None),
            "space": space,
            "subnet": subnet,
            "vlan": vlan,
            "ip": nic["ip"],
            "mac": nic["mac"],
            "macvlan_mode": nic.get("macvlan_mode"),
            "vf": nic["mode"] == "sriov",
        }
        if nic.get("ip_mode"):
            entry["ip_mode"] = nic["ip_mode"]
        placed.append(entry)
    return placed
