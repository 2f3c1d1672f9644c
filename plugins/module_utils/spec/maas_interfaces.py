# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""MAAS's interfaces string ("eth0:space=db;eth1:subnet=10.0.0.0/24") read as MAAS read it.

Each entry becomes the mapping the list form takes, so both forms end in one normaliser (interfaces.py). What a
MAAS key meant and this collection cannot mean is refused with the reason, never dropped: a pasted MAAS string
either means here what it meant in MAAS or fails naming the key.
"""

from __future__ import annotations

import re
import zlib

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError, child, item
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.mappings import require_mapping

MODES = ("bridge", "macvlan", "sriov")
# MAAS's "mode" was the IP mode of the NIC it would configure, and only this value changed anything.
IP_MODES = ("unconfigured",)
INTERFACE_NAME_BYTES = 15
INTERFACES_FORM = (
    "label:key=value,key=value entries separated by ';', e.g. eth0:space=storage;eth1:subnet=10.0.0.0/24,mode=sriov"
)

# MAAS spellings of keys this collection has under another name.
_ALIASES = {"vid": "vlan", "not_vid": "not_vlan", "subnet_cidr": "subnet", "not_subnet_cidr": "not_subnet"}
# MAAS ORed the values of a key given twice in one NIC; these are the keys where "any of" means something here.
ANY_OF_KEYS = ("space", "subnet", "vlan", "not_space", "not_subnet", "not_vlan")
_FABRIC = (
    "selects a MAAS fabric; hosts here have no fabrics: a NIC's layer 2 is the host's network or bridge it "
    "attaches to, so use network=, bridge=, vlan= or space="
)
_HOST_PICK = (
    "picked the host interface by a MAAS {what}; here a NIC says what it needs and the capacity core picks the "
    "host interface: use network=, bridge=, space=, subnet= or vlan="
)
_REFUSED = {
    "fabric": _FABRIC,
    "fabric_class": _FABRIC.replace("a MAAS fabric", "a MAAS fabric class"),
    "name": _HOST_PICK.format(what="interface name (in this string the label names the VM's NIC)"),
    "hostname": _HOST_PICK.format(what="node hostname"),
    "id": _HOST_PICK.format(what="interface id"),
    "type": _HOST_PICK.format(what="interface type"),
    "tag": _HOST_PICK.format(what="interface tag"),
    "link_speed": _HOST_PICK.format(what="link speed"),
}
_REFUSED.update({f"not_{key}": reason for key, reason in list(_REFUSED.items())})
_REFUSED["not_ip"] = "excluded host interfaces holding an address in MAAS; here an ip= is the address the NIC gets"

# MAAS's label rule, without its length limit: long labels are shortened below, as MAAS shortened them.
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_VID_PREFIX = "vid:"
_WHOLE = re.compile(r"[+-]?[0-9]+")  # a number, even out of range: the range check says what is wrong with it


def ifname_for_label(label: str) -> str:
    """The VM's interface name for a label, by MAAS's rule: "0" is eth0, and a name over 15 bytes is shortened
    to eth-<5 hex digits of its CRC-32>-<its last 5 bytes>, so a guest gets the name MAAS would have given it.
    """
    name = f"eth{int(label)}" if label.isdigit() else label
    raw = name.encode("utf-8")
    if len(raw) > INTERFACE_NAME_BYTES:
        digest = f"{zlib.crc32(raw) & 0xFFFFFFFF:05x}"[-5:]
        name = f"eth-{digest}-{raw[-5:].decode('utf-8')}"
    return name


def entries_from_text(text: str, option: str, allowed: tuple[str, ...]) -> list[dict]:
    if not text.strip():
        raise SpecError(
            option,
            text,
            "is empty; MAAS gave a VM one NIC on the host's default interface for an empty interfaces string, "
            "while leaving interfaces out here gives the VM no NIC: write 'eth0:' for MAAS's one NIC, or leave "
            "interfaces out (or give []) for none",
        )
    return [_entry(part, item(option, index), allowed) for index, part in enumerate(text.split(";"))]


def _entry(text: str, where: str, allowed: tuple[str, ...]) -> dict:
    """One "label:key=value,key=value" entry as a mapping; the label is optional.

    A colon starts a label only before the first '=': IPv6 addresses and MACs hold colons too.
    """
    if not text.strip():
        raise SpecError(where, text, f"is an empty entry (a stray ';'?); expected {INTERFACES_FORM}")
    head, colon, rest = text.partition(":")
    entry: dict = {}
    if colon and "=" not in head:
        entry["name"] = _label(head.strip(), child(where, "name"))
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
        key, value = key.strip(), value.strip()
        if not equals or not key:
            raise SpecError(where, text, f"has {pair.strip()!r}, which is not key=value; expected {INTERFACES_FORM}")
        key, value = _translate(key, value, child(where, key))
        _add(pairs, key, value, child(where, key), text)
    entry.update(require_mapping(pairs, where, allowed, "an interface"))
    return entry


def _label(label: str, where: str) -> str:
    if not label:
        return label  # refused as an empty name, with the list form's words
    if not _LABEL.fullmatch(label):
        raise SpecError(
            where, label, "is not a valid label; use letters, digits, '_', '.' and '-', starting with a letter or digit"
        )
    return ifname_for_label(label)


def _translate(key: str, value: str, where: str) -> tuple[str, object]:
    """A MAAS key=value as this collection's key and value; refuses what has no meaning here."""
    if key in _REFUSED:
        raise SpecError(where, value, _REFUSED[key])
    key = _ALIASES.get(key, key)
    if key == "mode":
        word = value.lower()
        if word in IP_MODES:
            return "ip_mode", word
        if word not in MODES:
            raise SpecError(
                where,
                value,
                f"is neither an attachment kind here ({', '.join(MODES)}) nor MAAS's IP mode "
                f"({', '.join(IP_MODES)}, the one value MAAS acted on)",
            )
        return "mode", word
    if key in ("vlan", "not_vlan"):
        return key, _vid(value, where)
    return key, value


def _vid(value: str, where: str) -> object:
    """MAAS's VLAN specifier as a VID: a number, "untagged" (0) or "vid:N"; names and ids mean nothing here."""
    word = value.lower()
    if word.startswith(_VID_PREFIX):
        word = word[len(_VID_PREFIX) :].strip()
    if word == "untagged":
        return "0"
    if not _WHOLE.fullmatch(word):
        raise SpecError(
            where,
            value,
            "names a VLAN the MAAS way (by name, id or fabric); here a VLAN is its tag: give the VID (0-4094), "
            "vid:N or untagged",
        )
    return word


def _add(pairs: dict, key: str, value: object, where: str, text: str) -> None:
    if key not in pairs:
        pairs[key] = value
    elif key in ANY_OF_KEYS:
        # MAAS: the values of one key are alternatives ("any of"); different keys must all hold.
        pairs[key] = (pairs[key] if isinstance(pairs[key], list) else [pairs[key]]) + [value]
    elif key == "ip":
        raise SpecError(
            where,
            value,
            f"is the second ip= in {text.strip()!r}; MAAS gave the NIC every address listed, here a NIC gets one "
            "address: give one ip=, or one NIC per address",
        )
    else:
        raise SpecError(where, value, f"is the second {key}= in {text.strip()!r}; give each key once")
