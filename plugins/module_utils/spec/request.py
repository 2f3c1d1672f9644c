# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import copy

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec import constraints as juju
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.cores import AUTO, format_cpuset, parse_pinned_cores
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.disks import ROOT_DISK, parse_disks
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError, child, item
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.interfaces import parse_interfaces
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.limits import MAX_CORES, MAX_COUNT, MAX_MEMORY_MIB
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.mappings import require_mapping
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.names import parse_vm_name
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.scalars import (
    parse_bool,
    parse_int,
    parse_optional_text,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.sizes import (
    MIB,
    format_size,
    parse_memory_mib,
    parse_page_size,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.tags import parse_tags

REQUEST_KEYS = (
    "name",
    "count",
    "cores",
    "pinned_cores",
    "memory",
    "hugepages_backed",
    "hugepage_size",
    "numa_strict",
    "disks",
    "storage",
    "interfaces",
    "pool",
    "zone",
    "host_tags",
    "tags",
    "constraints",
)
DEFAULT_CORES = 1
DEFAULT_MEMORY_MIB = 2048
DEFAULT_ROOT_DISK_SIZE = 8 * 10**9
MAX_NAME_LENGTH = 63


def parse_request(value: object, option: str = "requests[0]") -> dict:
    """One VM request, normalized: every key present, sizes in bytes (memory in MiB), defaults filled in.

    Here a request is one VM, so count may only be 1; parse_requests expands counts.
    """
    request, count = _parse(value, option)
    if count != 1:
        raise SpecError(
            child(option, "count"),
            value["count"],
            "is not allowed here: this describes one VM; drop count (or list several VMs in requests)",
        )
    return request


def parse_requests(values: object, option: str = "requests") -> list[dict]:
    """VM requests, each expanded by its count into name-1..name-N, with names, MACs and IPs unique overall."""
    if not isinstance(values, (list, tuple)):
        raise SpecError(option, values, "is not a list of VM requests; use a list of mappings, each with a name")
    entries: list[tuple[str, int, dict]] = []
    for index, value in enumerate(values):
        where = item(option, index)
        request, count = _parse(value, where)
        entries.extend((where, count, expanded) for expanded in _expand(request, count, where))
    _refuse_shared(entries)
    return [entry[2] for entry in entries]


def _parse(value: object, option: str) -> tuple[dict, int]:
    given = require_mapping(value, option, REQUEST_KEYS, "a VM request")
    found, given = _constraints(given, option)
    if "name" not in given:
        raise SpecError(child(option, "name"), MISSING, "is required; give the VM a name (with count N: <name>-1..N)")
    count = parse_int(given.get("count", 1), child(option, "count"), 1, MAX_COUNT)
    pinned_cores = parse_pinned_cores(given.get("pinned_cores"), child(option, "pinned_cores"))
    hugepages_backed = parse_bool(given.get("hugepages_backed", False), child(option, "hugepages_backed"))
    memory = parse_memory_mib(given.get("memory", DEFAULT_MEMORY_MIB), child(option, "memory"))
    if memory > MAX_MEMORY_MIB:
        raise SpecError(child(option, "memory"), given["memory"], "is more than any machine has; at most 4 PiB")
    request = {
        "name": parse_vm_name(given["name"], child(option, "name")),
        "cores": _cores(given, option, pinned_cores),
        "pinned_cores": pinned_cores,
        "memory": memory,
        "hugepages_backed": hugepages_backed,
        "hugepage_size": _hugepage_size(given, option, hugepages_backed, memory),
        "numa_strict": parse_bool(given.get("numa_strict", False), child(option, "numa_strict")),
        "disks": _disks(given, option),
        "interfaces": _interfaces(given, option, found),
        "pool": parse_optional_text(given.get("pool"), child(option, "pool"), "a resource pool name"),
        "zone": parse_optional_text(given.get("zone"), child(option, "zone"), "a zone name"),
        "host_tags": parse_tags(given.get("host_tags"), child(option, "host_tags")),
        "tags": parse_tags(given.get("tags"), child(option, "tags")),
    }
    request.update({key: given[key] for key in juju.HOST_FILTER_KEYS if key in given})
    return request, count


def _constraints(given: dict, option: str) -> tuple[dict, dict]:
    """Juju's constraint string, parsed, and the request with the keys it sets (refusing keys given twice)."""
    if "constraints" not in given:
        return {}, given
    where = child(option, "constraints")
    found = juju.parse_constraints(given["constraints"], where)
    keys = juju.request_keys(found, given, where, DEFAULT_ROOT_DISK_SIZE)
    merged = {key: value for key, value in given.items() if key != "constraints"}
    merged.update(keys)
    return found, merged


def _interfaces(given: dict, option: str, found: dict) -> list[dict]:
    nics = parse_interfaces(given.get("interfaces"), child(option, "interfaces"))
    juju.refuse_excluded_spaces(found, nics, child(option, "constraints"))
    return juju.apply_spaces(found, nics)


def _cores(given: dict, option: str, pinned_cores: None | str | list[int]) -> int:
    pinned_list = pinned_cores if isinstance(pinned_cores, list) else None
    if "cores" not in given:
        return len(pinned_list) if pinned_list else DEFAULT_CORES
    cores = parse_int(given["cores"], child(option, "cores"), 1, MAX_CORES)
    if pinned_list is not None and len(pinned_list) != cores:
        raise SpecError(
            child(option, "cores"),
            given["cores"],
            f"does not match pinned_cores {format_cpuset(pinned_list)!r} ({len(pinned_list)} cores); "
            f"pin exactly as many cores as the VM has, leave cores out, or use pinned_cores: {AUTO}",
        )
    return cores


def _hugepage_size(given: dict, option: str, hugepages_backed: bool, memory: int) -> int | None:
    if "hugepage_size" not in given:
        return None
    where = child(option, "hugepage_size")
    if not hugepages_backed:
        raise SpecError(
            where,
            given["hugepage_size"],
            "is given but hugepages_backed is false; set hugepages_backed: true or drop hugepage_size",
        )
    page_size = parse_page_size(given["hugepage_size"], where)
    if (memory * MIB) % page_size:
        page_mib = page_size // MIB  # only pages larger than 1 MiB can fail to divide whole MiB
        lower = memory // page_mib * page_mib
        choices = [str(size) for size in (lower, lower + page_mib) if size > 0]
        raise SpecError(
            child(option, "memory"),
            given.get("memory", DEFAULT_MEMORY_MIB),
            f"{_in_mib(given, memory)}is not a whole multiple of hugepage_size {given['hugepage_size']!r} "
            f"({format_size(page_size)}); hugepages-backed memory is whole pages: use e.g. "
            f"{' or '.join(choices)} (MiB)",
        )
    return page_size


def _in_mib(given: dict, memory: int) -> str:
    """The memory in MiB when the user wrote it some other way ("3G"), so the multiple check is easy to follow."""
    written = given.get("memory", DEFAULT_MEMORY_MIB)
    return "" if isinstance(written, int) and written == memory else f"({memory} MiB) "


def _disks(given: dict, option: str) -> list[dict]:
    if "disks" in given and "storage" in given:
        raise SpecError(
            child(option, "storage"),
            given["storage"],
            "cannot be given together with disks; storage is MAAS's string form of disks, use one of them",
        )
    for key in ("disks", "storage"):
        if key in given and not _blank_storage(key, given[key]):
            return parse_disks(given[key], child(option, key))
    return [{"name": ROOT_DISK, "size": DEFAULT_ROOT_DISK_SIZE, "pool": None, "tags": [], "boot": True}]


def _blank_storage(key: str, value: object) -> bool:
    """An empty storage string is the default disk, as in MAAS (which composed its default root disk for it)."""
    return key == "storage" and isinstance(value, str) and not value.strip()


def _expand(request: dict, count: int, where: str) -> list[dict]:
    if count == 1:
        return [request]
    name = request["name"]
    longest = f"{name}-{count}"
    if len(longest) > MAX_NAME_LENGTH:
        raise SpecError(
            child(where, "name"),
            name,
            f"is too long for count {count}: {longest!r} has {len(longest)} characters; "
            f"VM names have at most {MAX_NAME_LENGTH}",
        )
    for index, nic in enumerate(request["interfaces"]):
        for key, what in (("mac", "a MAC address"), ("ip", "an IP address")):
            if nic[key] is not None:
                raise SpecError(
                    child(item(child(where, "interfaces"), index), key),
                    nic[key],
                    f"would be given to all {count} VMs of this request (count {count}); "
                    f"{what} belongs to one VM: describe those VMs one by one",
                )
    copies = []
    for number in range(1, count + 1):
        copied = copy.deepcopy(request)
        copied["name"] = f"{name}-{number}"
        copies.append(copied)
    return copies


def _refuse_shared(entries: list[tuple[str, int, dict]]) -> None:
    """Names, MACs and IPs are unique across all requests, not only within one."""
    names: dict[str, str] = {}
    addresses: dict[tuple[str, str], str] = {}
    for where, count, request in entries:
        name = request["name"]
        made = "" if count == 1 else f" (made by count {count})"
        if name in names:
            raise SpecError(
                child(where, "name"),
                name,
                f"is used twice{made}: {names[name]} also makes a VM named {name!r}; each VM needs its own name",
            )
        names[name] = where if count == 1 else f"{where} (count {count})"
        for index, nic in enumerate(request["interfaces"]):
            for key in ("mac", "ip"):
                if nic[key] is None:
                    continue
                path = child(item(child(where, "interfaces"), index), key)
                if (key, nic[key]) in addresses:
                    raise SpecError(
                        path, nic[key], f"is used twice (also {addresses[(key, nic[key])]}); each NIC needs its own"
                    )
                addresses[(key, nic[key])] = path
