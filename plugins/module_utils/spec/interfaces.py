# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.addresses import parse_ip, parse_mac, parse_subnet
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError, child, item
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.maas_interfaces import (
    INTERFACE_NAME_BYTES,
    INTERFACES_FORM,
    IP_MODES,
    MODES,
    entries_from_text,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.mappings import require_mapping
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.names import (
    parse_device_name,
    parse_host_interface_name,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.scalars import (
    parse_choice,
    parse_int,
    parse_optional_text,
)

NIC_KEYS = ("name", "mode", "network", "bridge", "space", "subnet", "vlan", "ip", "mac", "macvlan_mode")
# Set on a NIC only when given: a VM composed before these keys existed is compared with its request again on
# every run, and a NIC that grew None-valued keys would read as changed.
OPTIONAL_NIC_KEYS = ("ip_mode", "not_space", "not_subnet", "not_vlan")
# In MAAS's string the label is the name, so "name=" would be a second, conflicting way to say it.
TEXT_KEYS = tuple(key for key in NIC_KEYS + OPTIONAL_NIC_KEYS if key != "name")
MACVLAN_MODES = ("bridge", "vepa", "private", "passthrough")
VLAN_MAX = 4094


def parse_interfaces(value: object, option: str = "interfaces") -> list[dict]:
    """NICs from a list of mappings or MAAS's interfaces string; unnamed NICs are eth0, eth1... by position.

    Each NIC has every key of NIC_KEYS, None where unset, and the keys of OPTIONAL_NIC_KEYS only when given;
    macvlan_mode is set only for mode macvlan. space, subnet and vlan are one value, or a list of alternatives
    (MAAS's repeated key: any of them); not_space, not_subnet and not_vlan are lists of exclusions.
    """
    if value is None:
        return []
    if isinstance(value, str):
        entries = entries_from_text(value, option, TEXT_KEYS)
    elif isinstance(value, (list, tuple)):
        entries = [
            require_mapping(entry, item(option, index), NIC_KEYS + OPTIONAL_NIC_KEYS, "an interface")
            for index, entry in enumerate(value)
        ]
    else:
        raise SpecError(option, value, f"is not a list of interfaces; use a list of mappings or {INTERFACES_FORM}")
    nics = [_nic(entry, item(option, index), index) for index, entry in enumerate(entries)]
    for key, what in (("name", "name"), ("mac", "MAC address"), ("ip", "IP address")):
        _refuse_duplicates(nics, option, key, what)
    return nics


def _nic(entry: dict, where: str, index: int) -> dict:
    mode = parse_choice(entry.get("mode", "bridge"), child(where, "mode"), MODES)
    network = parse_optional_text(entry.get("network"), child(where, "network"), "a network name")
    bridge = entry.get("bridge")
    if bridge is not None:
        bridge = parse_host_interface_name(bridge, child(where, "bridge"), "bridge")
        if network is not None:
            raise SpecError(
                child(where, "bridge"),
                bridge,
                f"cannot be given together with network {network!r}; a NIC attaches to a managed network "
                "or to a host bridge, not both",
            )
    subnet = _any_of(entry, "subnet", where, parse_subnet)
    nic = {
        "name": _name(entry.get("name", f"eth{index}"), child(where, "name")),
        "mode": mode,
        "network": network,
        "bridge": bridge,
        "space": _any_of(entry, "space", where, _space),
        "subnet": subnet,
        "vlan": _any_of(entry, "vlan", where, _vlan),
        "ip": None if "ip" not in entry else _ip(entry["ip"], child(where, "ip"), subnet),
        "mac": None if "mac" not in entry else parse_mac(entry["mac"], child(where, "mac")),
        "macvlan_mode": _macvlan_mode(entry, where, mode),
    }
    if "ip_mode" in entry:
        nic["ip_mode"] = parse_choice(entry["ip_mode"], child(where, "ip_mode"), IP_MODES)
    for key, parse in (("not_space", _space), ("not_subnet", parse_subnet), ("not_vlan", _vlan)):
        if key in entry:
            found = _any_of(entry, key, where, parse)
            nic[key] = found if isinstance(found, list) else [found]
    return nic


def _name(value: object, option: str) -> str:
    name = parse_device_name(value, option, "interface")
    if len(name.encode("utf-8")) > INTERFACE_NAME_BYTES:
        raise SpecError(
            option,
            value,
            f"is longer than a Linux interface name ({INTERFACE_NAME_BYTES} bytes); the NIC has this name inside "
            "the VM: use a shorter name (in MAAS's interfaces string a longer label is shortened as MAAS did)",
        )
    return name


def _space(value: object, option: str) -> str:
    return parse_optional_text(value, option, "a space name")


def _vlan(value: object, option: str) -> int:
    return parse_int(value, option, 0, VLAN_MAX)


def _any_of(entry: dict, key: str, where: str, parse) -> object:
    """One value, or a list of alternatives (one value in a list is that value); None when not given."""
    if key not in entry:
        return None
    given = entry[key]
    if not isinstance(given, (list, tuple)):
        return parse(given, child(where, key))
    if not given:
        raise SpecError(child(where, key), given, f"is an empty list; give one {key} or a list of alternatives")
    values = []
    for index, one in enumerate(given):
        parsed = parse(one, item(child(where, key), index))
        if parsed not in values:
            values.append(parsed)
    return values[0] if len(values) == 1 else values


def _ip(value: object, option: str, subnet: object) -> str:
    """The address, inside the NIC's subnet (one of them, when alternatives are given)."""
    if not isinstance(subnet, list):
        return parse_ip(value, option, subnet)
    parse_ip(value, option)  # a malformed address fails as such, before the subnets are tried
    for one in subnet:
        try:
            return parse_ip(value, option, one)
        except SpecError:
            continue
    raise SpecError(option, value, f"is in none of the subnets {', '.join(subnet)}; use an address inside one")


def _macvlan_mode(entry: dict, where: str, mode: str) -> str | None:
    if "macvlan_mode" not in entry:
        return MACVLAN_MODES[0] if mode == "macvlan" else None
    if mode != "macvlan":
        raise SpecError(
            child(where, "macvlan_mode"),
            entry["macvlan_mode"],
            f"only applies to mode macvlan (this NIC's mode is {mode!r}); set mode: macvlan or drop macvlan_mode",
        )
    return parse_choice(entry["macvlan_mode"], child(where, "macvlan_mode"), MACVLAN_MODES)


def _refuse_duplicates(nics: list[dict], option: str, key: str, what: str) -> None:
    first_at: dict[str, int] = {}
    for index, nic in enumerate(nics):
        value = nic[key]
        if value is None:
            continue
        if value in first_at:
            raise SpecError(
                child(item(option, index), key),
                value,
                f"is used twice (also {item(option, first_at[value])}); each NIC needs its own {what}",
            )
        first_at[value] = index
