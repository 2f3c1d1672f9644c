# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.addresses import parse_ip, parse_mac, parse_subnet
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError, child, item
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
# In MAAS's string the label is the name, so "name=" would be a second, conflicting way to say it.
TEXT_KEYS = tuple(key for key in NIC_KEYS if key != "name")
MODES = ("bridge", "macvlan", "sriov")
MACVLAN_MODES = ("bridge", "vepa", "private", "passthrough")
INTERFACES_FORM = (
    "label:key=value,key=value entries separated by ';', e.g. eth0:space=storage;eth1:subnet=10.0.0.0/24,mode=sriov"
)
VLAN_MAX = 4094


def parse_interfaces(value: object, option: str = "interfaces") -> list[dict]:
    """NICs from a list of mappings or MAAS's interfaces string; unnamed NICs are eth0, eth1... by position.

    Each NIC has every key of NIC_KEYS, None where unset; macvlan_mode is set only for mode macvlan.
    """
    if value is None:
        return []
    if isinstance(value, str):
        texts = value.split(";") if value.strip() else []
        entries = [_entry_from_text(text, item(option, index)) for index, text in enumerate(texts)]
    elif isinstance(value, (list, tuple)):
        entries = [
            require_mapping(entry, item(option, index), NIC_KEYS, "an interface") for index, entry in enumerate(value)
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
    subnet = entry.get("subnet")
    if subnet is not None:
        subnet = parse_subnet(subnet, child(where, "subnet"))
    return {
        "name": parse_device_name(entry.get("name", f"eth{index}"), child(where, "name"), "interface"),
        "mode": mode,
        "network": network,
        "bridge": bridge,
        "space": parse_optional_text(entry.get("space"), child(where, "space"), "a space name"),
        "subnet": subnet,
        "vlan": None if "vlan" not in entry else parse_int(entry["vlan"], child(where, "vlan"), 0, VLAN_MAX),
        "ip": None if "ip" not in entry else parse_ip(entry["ip"], child(where, "ip"), subnet),
        "mac": None if "mac" not in entry else parse_mac(entry["mac"], child(where, "mac")),
        "macvlan_mode": _macvlan_mode(entry, where, mode),
    }


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


def _entry_from_text(text: str, where: str) -> dict:
    """One "label:key=value,key=value" entry as a mapping; the label is optional.

    A colon starts a label only before the first '=': IPv6 addresses and MACs hold colons too.
    """
    if not text.strip():
        raise SpecError(where, text, f"is an empty entry (a stray ';'?); expected {INTERFACES_FORM}")
    head, colon, rest = text.partition(":")
    entry: dict = {}
    if colon and "=" not in head:
        entry["name"] = head.strip()
        body = rest
    else:
        body = text
    if "name" not in entry and "=" not in body:
        raise SpecError(where, text, f"is not an interface; expected {INTERFACES_FORM}")
    if not body.strip():
        return entry
    pairs: dict = {}
    for pair in body.split(","):
        key, equals, value = pair.partition("=")
        key = key.strip()
        if not equals or not key:
            raise SpecError(where, text, f"has {pair.strip()!r}, which is not key=value; expected {INTERFACES_FORM}")
        if key in pairs:
            raise SpecError(
                child(where, key), value.strip(), f"is the second {key}= in {text.strip()!r}; give each key once"
            )
        pairs[key] = value.strip()
    entry.update(require_mapping(pairs, where, TEXT_KEYS, "an interface"))
    return entry
