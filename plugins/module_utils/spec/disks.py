# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError, child, item
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.mappings import require_mapping
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.names import parse_device_name
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.scalars import parse_optional_text
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.sizes import parse_disk_size
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.tags import parse_tags

DISK_KEYS = ("name", "size", "pool", "tags")
ROOT_DISK = "root"
STORAGE_FORM = "label:size(tag,tag) entries separated by commas, e.g. root:20(ssd),data:100(fast)"

# MAAS's storage constraint entry: optional "label:", a size, optional "(tags)".
# A size that is zero whatever its unit ("0", "0.0", "0G"), as MAAS's storage filters wrote "any size".
_ZERO = re.compile(r"\s*(?:0+\.?0*|\.0+)\s*[A-Za-z]*\s*")
_ENTRY = re.compile(r"(?:(?P<label>[^:()]*):)?(?P<size>[^:()]*?)\s*(?:\((?P<tags>[^()]*)\))?")


def parse_disks(value: object, option: str = "disks") -> list[dict]:
    """Disks from a list of mappings or MAAS's storage string; the first disk is the boot (root) disk.

    Each disk: {"name": str, "size": int bytes, "pool": str | None, "tags": [str], "boot": bool}.
    """
    if isinstance(value, str):
        entries = [_entry_from_text(text, item(option, index)) for index, text in enumerate(_split(value, option))]
    elif isinstance(value, (list, tuple)):
        entries = [
            require_mapping(entry, item(option, index), DISK_KEYS, "a disk") for index, entry in enumerate(value)
        ]
    else:
        raise SpecError(
            option, value, f"is not a list of disks; use a list of {{name, size, pool, tags}} or {STORAGE_FORM}"
        )
    if not entries:
        raise SpecError(option, value, "has no disk; a VM needs at least its root disk, e.g. root:20")
    disks = [_disk(entry, item(option, index), index) for index, entry in enumerate(entries)]
    if isinstance(value, str):
        _refuse_maas_reordering(value, disks, option)
        _refuse_duplicate_names(disks, option, "; MAAS ignored storage labels, here a label names the disk")
    else:
        _refuse_duplicate_names(disks, option)
    return disks


def _disk(entry: dict, where: str, index: int) -> dict:
    name = entry.get("name")
    if "size" not in entry:
        raise SpecError(child(where, "size"), MISSING, "is required; give the disk size, e.g. 20 (GB) or 20G")
    return {
        "name": _default_name(index) if name is None else parse_device_name(name, child(where, "name"), "disk"),
        "size": parse_disk_size(entry["size"], child(where, "size")),
        "pool": parse_optional_text(entry.get("pool"), child(where, "pool"), "a storage pool name"),
        "tags": parse_tags(entry.get("tags"), child(where, "tags")),
        "boot": index == 0,
    }


def _refuse_maas_reordering(text: str, disks: list[dict], option: str) -> None:
    """MAAS kept the first disk first and sorted the others by their number of tags, most first (stably).

    Here disks keep the written order, so a string MAAS would have reordered would give the VM its disks in
    another order than MAAS did (vdb is another disk): refused, with the order MAAS used.
    """
    counts = [len(disk["tags"]) for disk in disks[1:]]
    if all(earlier >= later for earlier, later in zip(counts, counts[1:])):
        return
    parts = [part.strip() for part in _split(text, option)]
    rest = sorted(zip(counts, parts[1:]), key=lambda pair: -pair[0])
    maas_order = ",".join(parts[:1] + [part for _count, part in rest])
    raise SpecError(
        option,
        text,
        f"lists its disks in an order MAAS did not keep: MAAS put the disks with more tags first after the first "
        f"disk ({maas_order!r}), so the VM's disks would not be in the order MAAS gave them; write them in that "
        "order, or use disks (a list) for any order",
    )


def _default_name(index: int) -> str:
    return ROOT_DISK if index == 0 else f"disk{index}"


def _refuse_duplicate_names(disks: list[dict], option: str, why: str = "") -> None:
    first_at: dict[str, int] = {}
    for index, disk in enumerate(disks):
        name = disk["name"]
        if name in first_at:
            raise SpecError(
                child(item(option, index), "name"),
                name,
                f"is used twice (also {item(option, first_at[name])}); each disk needs its own name{why}",
            )
        first_at[name] = index


def _split(text: str, option: str) -> list[str]:
    """Top-level comma-separated entries; commas inside parentheses belong to the tags."""
    entries = []
    depth = 0
    start = 0
    for position, char in enumerate(text):
        if char == "(":
            depth += 1
            if depth > 1:
                raise SpecError(option, text, f"has nested '(' at character {position + 1}; expected {STORAGE_FORM}")
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise SpecError(
                    option, text, f"has an unmatched ')' at character {position + 1}; expected {STORAGE_FORM}"
                )
        elif char == "," and depth == 0:
            entries.append(text[start:position])
            start = position + 1
    if depth:
        raise SpecError(option, text, f"has a '(' that is never closed; expected {STORAGE_FORM}")
    if not text.strip():
        return []
    entries.append(text[start:])
    return entries


def _entry_from_text(text: str, where: str) -> dict:
    if not text.strip():
        raise SpecError(where, text, f"is an empty entry (a stray comma?); expected {STORAGE_FORM}")
    match = _ENTRY.fullmatch(text.strip())
    if match is None:
        raise SpecError(where, text, f"is not a disk; expected {STORAGE_FORM}")
    entry: dict = {"size": match.group("size")}
    if _ZERO.fullmatch(entry["size"]):
        raise SpecError(
            child(where, "size"),
            entry["size"],
            "is zero; a size must be greater than zero (MAAS's machine filters read 0 as a disk of any size, but a "
            "composed disk needs its size, e.g. root:20)",
        )
    if match.group("label") is not None:
        entry["name"] = match.group("label").strip()
    if match.group("tags") is not None:
        entry["tags"] = match.group("tags")
    return entry
