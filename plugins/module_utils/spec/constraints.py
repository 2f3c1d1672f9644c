# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Juju's constraint string (``cores=4 mem=8G root-disk=20G zones=az1 tags=ssd spaces=db,^dmz``) as a request.

The grammar is Juju's: ``key=value`` words separated by spaces (a space inside a value is written ``\\ ``), each
key at most once (``cpu-cores`` is another name of ``cores``), lists comma-separated with ``^`` for "not", and an
empty value meaning "no constraint" (for a list: the explicit empty list). Sizes are MiB with an optional
suffix M, G, T or P, fractions rounded up to the next MiB, as Juju's own parser does.

Constraints are minimums in Juju, and a composed VM gets exactly what it asked for, so each supported key
becomes a key of a VM request (docs/constraints.md has the whole table); the keys that describe a cloud's
machines and mean nothing on a VM host are refused with the reason. This module imports nothing from Ansible.
"""

from __future__ import annotations

import math
import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.disks import ROOT_DISK
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError, child
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.limits import MAX_CORES, MAX_MEMORY_MIB
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.sizes import MAX_SIZE, MIB
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.tags import _TAG, _TAG_HELP

ALIASES = {"cpu-cores": "cores"}
SUPPORTED = ("cores", "mem", "root-disk", "root-disk-source", "tags", "spaces", "zones", "virt-type", "container")
# Juju's keys that name a cloud's features; why each cannot mean anything when a VM host composes the machine.
REFUSED = {
    "arch": "cannot be matched: host records carry no architecture, and a VM always runs in its VM host's "
    "own architecture",
    "cpu-power": "is a cloud's abstract CPU speed figure; a VM host gives whole vCPUs: use cores",
    "instance-type": "names a cloud's instance type; VM hosts have no instance types: give cores, mem and "
    "root-disk (or virt-type for a virtual machine or a container)",
    "instance-role": "names a cloud's instance role (an AWS instance profile); VM hosts have none",
    "allocate-public-ip": "asks a cloud for a public address; a VM's addresses come from the networks its NICs "
    "attach to: use spaces or interfaces",
    "image-id": "names a cloud's image; use the image option (image.alias on LXD, image.pool and image.volume "
    "on libvirt)",
    "nested-virtualization": "cannot be switched per VM here; the VM gets the CPU its VM host's driver gives",
}
KEYS = SUPPORTED + tuple(REFUSED)
VIRT_TYPES = ("virtual-machine", "container")
# Juju's container types; "none" (not inside a container on another machine) is what every VM here is.
CONTAINER_TYPES = ("none", "lxd", "kvm")
FORM = "space-separated key=value words, e.g. 'cores=4 mem=8G root-disk=20G tags=ssd zones=az1 spaces=db,^dmz'"

_UINT = re.compile(r"[0-9]+")
_SIZE = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?P<suffix>[MGTP]?)")
_SIZE_HELP = "use a number of MiB with an optional suffix M, G, T or P (upper case, as in Juju), e.g. 8G or 1.5T"
_SUFFIX_MIB = {"": 1, "M": 1, "G": 1024, "T": 1024**2, "P": 1024**3}
# Juju's space names (names.IsValidSpace): lower-case letters and digits, words joined by single hyphens.
_SPACE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ZONE = re.compile(r"[^\s,^]+")
_ESCAPED_SPACE = "\x00"


def parse_constraints(value: object, option: str = "constraints") -> dict:
    """The constraints given, by Juju's canonical key: ints (cores, MiB for mem and root-disk), strings, and
    (wanted, excluded) pairs of lists for tags, spaces and zones. A key given with no value maps to None."""
    if not isinstance(value, str):
        raise SpecError(option, value, f"is not a constraint string; use {FORM}")
    found: dict = {}
    written: dict = {}
    for word in value.replace("\\ ", _ESCAPED_SPACE).split():
        word = word.replace(_ESCAPED_SPACE, " ")
        key, equals, raw = word.partition("=")
        if not equals or not key:
            raise SpecError(option, word, f"is not a constraint; each constraint is key=value ({FORM})")
        name = ALIASES.get(key, key)
        if name not in KEYS:
            raise SpecError(option, word, f"has an unknown key {key!r}; Juju's keys are {', '.join(_all_names())}")
        if name in written:
            also = f" (as {written[name]!r})" if written[name] != key else ""
            raise SpecError(option, word, f"repeats the key {name!r}{also}; give each constraint once")
        written[name] = key
        found[name] = _value(name, key, raw, option, word)
    return found


def _all_names() -> list[str]:
    return sorted(KEYS + tuple(ALIASES))


def _value(name: str, key: str, raw: str, option: str, word: str):
    if name in REFUSED:
        if raw == "":
            return None  # Juju reads a key with no value as no constraint: it asks nothing, so nothing to refuse
        raise SpecError(option, word, f"is not supported: {key} {REFUSED[name]}")
    if name in ("tags", "spaces", "zones"):
        return _list(name, raw, option, word)
    if raw == "":
        return None  # Juju: no value, no constraint (cores=, mem=, root-disk=, virt-type=, ...)
    if name == "cores":
        if not _UINT.fullmatch(raw):
            raise SpecError(option, word, f"has a bad {key}: {raw!r} is not a whole number; use e.g. cores=4")
        if int(raw) > MAX_CORES:
            raise SpecError(
                option, word, f"has a bad {key}: {raw} is more cores than a VM can have (at most {MAX_CORES})"
            )
        return int(raw) or None  # Juju reads cores=0 as no constraint
    if name in ("mem", "root-disk"):
        mib = _mib(key, raw, option, word)
        limit = MAX_MEMORY_MIB if name == "mem" else MAX_SIZE // MIB
        if mib is not None and mib > limit:
            raise SpecError(option, word, f"has a bad {key}: {raw!r} is more than any machine has")
        return mib
    if name == "virt-type":
        if raw not in VIRT_TYPES:
            raise SpecError(option, word, f"has a bad virt-type {raw!r}; use {' or '.join(VIRT_TYPES)}")
        return raw
    if name == "container":
        if raw not in CONTAINER_TYPES:
            raise SpecError(option, word, f"has a bad container {raw!r}; Juju's container types are none, lxd, kvm")
        if raw != "none":
            raise SpecError(
                option,
                word,
                "is not supported: container asks Juju for a container inside another machine; here the VM host "
                "makes the machine itself: use virt-type=container for a system container on an LXD host",
            )
        return None
    # root-disk-source: the storage pool of the root disk, as Juju's LXD provider reads it
    if not _TAG.fullmatch(raw):
        raise SpecError(option, word, f"has a bad {key} {raw!r}; give the name of a storage pool of the VM host")
    return raw


def _mib(key: str, raw: str, option: str, word: str) -> int | None:
    match = _SIZE.fullmatch(raw)
    if match is None:
        problem = "is negative" if raw.startswith("-") else "is not a size"
        raise SpecError(option, word, f"has a bad {key}: {raw!r} {problem}; {_SIZE_HELP}")
    mib = math.ceil(float(match.group("number")) * _SUFFIX_MIB[match.group("suffix")])
    return mib or None  # Juju reads 0 as no constraint


def _list(name: str, raw: str, option: str, word: str) -> tuple[list, list]:
    wanted: list[str] = []
    excluded: list[str] = []
    if raw == "":
        return wanted, excluded  # the explicit empty list
    for entry in raw.split(","):
        negative = entry.startswith("^")
        text = entry[1:] if negative else entry
        _check_entry(name, text, entry, option, word)
        target, other = (excluded, wanted) if negative else (wanted, excluded)
        if text in other:
            raise SpecError(option, word, f"both asks for and excludes {name[:-1]} {text!r}; keep one of them")
        if text not in target:
            target.append(text)
    return wanted, excluded


def _check_entry(name: str, text: str, entry: str, option: str, word: str) -> None:
    if not text:
        raise SpecError(option, word, f"has an empty entry {entry!r} in {name}; entries are comma-separated names")
    if name == "tags" and not _TAG.fullmatch(text):
        raise SpecError(option, word, f"has a bad tag {text!r}; {_TAG_HELP}")
    if name == "spaces" and not _SPACE.fullmatch(text):
        raise SpecError(
            option, word, f"has a bad space {text!r}; Juju's space names are lower-case letters, digits and '-'"
        )
    if name == "zones" and not _ZONE.fullmatch(text):
        raise SpecError(option, word, f"has a bad zone {text!r}; a zone is a name without spaces, ',' or '^'")


# Request keys each constraint sets, for refusing a request that also gives one of them itself.
CONFLICTS = {
    "cores": ("cores",),
    "mem": ("memory",),
    "root-disk": ("disks", "storage"),
    "root-disk-source": ("disks", "storage"),
    "tags": ("host_tags",),
    "zones": ("zone",),
    "virt-type": ("instance_type",),
}


def request_keys(found: dict, given: dict, option: str, root_disk_default: int) -> dict:
    """The request keys the constraints set, refusing any the request (``given``) sets too, naming both.

    Spaces are not here: they join the NICs (``apply_spaces``), so they work together with ``interfaces``.
    ``root_disk_default`` is the root disk's size in bytes when only root-disk-source is given.
    """
    for name, keys in CONFLICTS.items():
        if name not in found:
            continue
        for key in keys:
            if key in given:
                raise SpecError(
                    option,
                    given_word(found, name),
                    f"sets {name}, and {child(_parent(option), key)} is given too; give it one way "
                    f"(constraints or {key}), not both",
                )
    keys: dict = {}
    if found.get("cores"):
        keys["cores"] = found["cores"]
    if found.get("mem"):
        keys["memory"] = found["mem"]
    if found.get("root-disk") or found.get("root-disk-source"):
        size = found["root-disk"] * MIB if found.get("root-disk") else root_disk_default
        keys["disks"] = [{"name": ROOT_DISK, "size": f"{size}B", "pool": found.get("root-disk-source")}]
    if "tags" in found:
        keys["host_tags"], excluded = found["tags"]
        if excluded:
            keys["not_host_tags"] = excluded
    if "zones" in found:
        wanted, excluded = found["zones"]
        if wanted:
            keys["zones"] = wanted
        if excluded:
            keys["not_zones"] = excluded
    if found.get("virt-type"):
        keys["instance_type"] = found["virt-type"]
    return keys


def given_word(found: dict, name: str) -> str:
    value = found[name]
    if isinstance(value, tuple):
        text = ",".join(value[0] + [f"^{entry}" for entry in value[1]])
    elif name in ("mem", "root-disk") and value is not None:
        text = f"{value}M"
    else:
        text = "" if value is None else str(value)
    return f"{name}={text}"


def _parent(option: str) -> str:
    return option.rpartition(".")[0] if "." in option else ""


def apply_spaces(found: dict, nics: list[dict]) -> list[dict]:
    """The NICs with the spaces constraint joined in, as Juju asked MAAS for them.

    Each wanted space needs a NIC in it: a NIC that already asks for that space (only that one) serves it, any
    other space gets a NIC of its own after the given ones (named eth<N> by position). Excluded spaces join
    every NIC's not_space, so no NIC lands in them; with no NIC at all they go on one default NIC, eth0.
    """
    if "spaces" not in found:
        return nics
    wanted, excluded = found["spaces"]
    nics = [dict(nic) for nic in nics]
    served = {nic["space"] for nic in nics if isinstance(nic.get("space"), str)}
    taken = {nic["name"] for nic in nics}
    for space in wanted:
        if space in served:
            continue
        nics.append(_new_nic(_free_name(taken, len(nics)), space))
    if excluded and not nics:
        nics.append(_new_nic("eth0", None))
    for nic in nics:
        if excluded:
            nic["not_space"] = list(nic.get("not_space") or []) + [
                s for s in excluded if s not in (nic.get("not_space") or [])
            ]
    return nics


def _free_name(taken: set, index: int) -> str:
    while f"eth{index}" in taken:
        index += 1
    taken.add(f"eth{index}")
    return f"eth{index}"


def _new_nic(name: str, space: str | None) -> dict:
    return {
        "name": name,
        "mode": "bridge",
        "network": None,
        "bridge": None,
        "space": space,
        "subnet": None,
        "vlan": None,
        "ip": None,
        "mac": None,
        "macvlan_mode": None,
    }


def refuse_excluded_spaces(found: dict, nics: list[dict], option: str) -> None:
    """A NIC that asks for a space the constraints exclude can never be placed; say so before planning."""
    if "spaces" not in found:
        return
    excluded = found["spaces"][1]
    for index, nic in enumerate(nics):
        spaces = nic.get("space")
        spaces = spaces if isinstance(spaces, list) else [spaces]
        clash = [s for s in spaces if s in excluded]
        if clash:
            raise SpecError(
                option,
                given_word(found, "spaces"),
                f"excludes space {clash[0]!r}, which interfaces[{index}] ({nic['name']}) asks for; drop one of them",
            )


# Keys only constraints set on a request; present only when given, so a request without constraints (and a VM
# composed before constraints existed) keeps the shape it always had.
# host types that run system containers (libvirt runs virtual machines only)
CONTAINER_HOST_TYPES = ("lxd", "incus")
HOST_FILTER_KEYS = ("zones", "not_zones", "not_host_tags", "instance_type")


def host_mismatch(request: dict, zone: str, tags: list, host_type: str) -> str | None:
    """Why a VM host of this zone, tags and type cannot take the request's constraints; None when it can."""
    zones = request.get("zones")
    if zones and zone not in zones:
        return f"zone {zone!r} is not one of zones={','.join(zones)}"
    if zone in (request.get("not_zones") or ()):
        return f"zone {zone!r} is excluded by zones=^{zone}"
    missing = [tag for tag in request.get("host_tags") or () if tag not in tags]
    if missing:
        return f"it lacks the tag{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
    banned = [tag for tag in request.get("not_host_tags") or () if tag in tags]
    if banned:
        return f"it has the tag {banned[0]!r}, excluded by tags=^{banned[0]}"
    if request.get("instance_type") == "container" and host_type not in CONTAINER_HOST_TYPES:
        return f"it is a {host_type} host; virt-type=container needs an LXD or Incus host"
    return None


def split_host_filter(request: dict) -> dict:
    """vm_compose composes on the VM host it is given: the constraints that choose a host (zones, tags, virt-type)
    are taken out of the request, so what is stored with the VM and compared on later runs is the same request
    as without constraints, and checked against the host by ``host_mismatch`` before a new VM is made."""
    found = {key: request.pop(key) for key in HOST_FILTER_KEYS if key in request}
    if request.get("host_tags"):
        found["host_tags"], request["host_tags"] = request["host_tags"], []
    return found


def with_virt_type(params: dict, host_filter: dict) -> dict:
    """vm_compose's options with virt-type given as instance_type; both at once is refused, naming both."""
    kind = host_filter.get("instance_type")
    if kind is None:
        return params
    if params.get("instance_type") is not None:
        raise SpecError(
            "constraints",
            f"virt-type={kind}",
            "sets virt-type, and instance_type is given too; give it one way (constraints or instance_type), not both",
        )
    return {**params, "instance_type": kind}


def driver_options(compose_options, params: dict, host_filter: dict) -> dict:
    """The driver's compose options (``compose_options(params)``) with virt-type as instance_type; a refusal of
    an instance type the user wrote as virt-type names the constraint, not an option that was not given."""
    try:
        return compose_options(with_virt_type(params, host_filter))
    except SpecError as error:
        if error.option != "instance_type" or "instance_type" not in host_filter:
            raise
        raise SpecError("constraints", f"virt-type={error.value}", error.reason) from None


def filter_words(request: dict) -> list[str]:
    """The constraints that choose a host, in Juju's words, for the reason a plan gives when no host matches."""
    words = []
    if request.get("zones") or request.get("not_zones"):
        words.append(
            "zones=" + ",".join(list(request.get("zones") or []) + [f"^{z}" for z in request.get("not_zones") or []])
        )
    if request.get("not_host_tags"):
        words.append("tags=" + ",".join(f"^{t}" for t in request["not_host_tags"]))
    if request.get("instance_type"):
        words.append(f"virt-type={request['instance_type']}")
    return words
