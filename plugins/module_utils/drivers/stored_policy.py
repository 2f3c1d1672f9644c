# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stored policy's JSON, as every driver keeps it: ``{"format": 1, "policy": {...}}``, read back strictly.

A stored policy is input too: it can be edited by hand, written by another tool or damaged. Whatever is found is
checked as vm_host's options are (spec.host_policy) and refused as ``corrupt_policy``, naming where it is, how to
see it and the bad key, and how vm_host repairs it (``force: true``), instead of failing later in discovery or
the capacity core with a traceback.
"""

from __future__ import annotations

import json

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import PolicyError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError, show
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.host_policy import parse_policy

FORMAT_VERSION = 1
NULLABLE = ("default_storage_pool",)  # the one key whose null means something (no default pool)
CORRUPT = "corrupt_policy"
REPAIR = (
    "vmfleet.hosts.vm_host with force: true replaces it with the task's policy (state: absent with force: true "
    "removes it)"
)


class Where:
    """Where a stored policy lives and how an operator sees it, for the messages."""

    def __init__(self, place: str, show_command: str):
        self.place = place
        self.show_command = show_command


def corrupt(where: Where, problem: str) -> DriverError:
    return DriverError(
        CORRUPT,
        f"the stored policy ({where.place}) {problem}; see it with `{where.show_command}`; {REPAIR}",
    )


def encode(policy: dict, **dump) -> str:
    return json.dumps({"format": FORMAT_VERSION, "policy": policy}, sort_keys=True, **dump)


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return {list: "array", str: "string", int: "number", float: "number"}.get(type(value), type(value).__name__)


def decode(text, where: Where):
    """The policy dict out of its stored text (as written: what vm_host compares with), or None for none."""
    if not text:
        return None
    try:
        stored = json.loads(text)
    except ValueError as error:
        raise corrupt(where, f"is not JSON ({error})") from None
    if not isinstance(stored, dict):
        raise corrupt(where, f"is a JSON {_kind(stored)} ({show(stored)}), not an object with format and policy")
    if stored.get("format") != FORMAT_VERSION:
        raise corrupt(where, f"has format {show(stored.get('format'))}; this collection reads format {FORMAT_VERSION}")
    if "policy" not in stored:
        raise corrupt(where, "has no policy key")
    policy = stored["policy"]
    if not isinstance(policy, dict):
        raise corrupt(where, f"has a policy that is a JSON {_kind(policy)} ({show(policy)}), not an object")
    nulls = sorted(key for key, value in policy.items() if value is None and key not in NULLABLE)
    if nulls:
        raise corrupt(where, f"has policy.{nulls[0]}: null; only {', '.join(NULLABLE)} may be null")
    try:
        parse_policy(policy)
    except (SpecError, PolicyError) as error:
        raise corrupt(where, f"has a bad value at policy.{error}") from None
    return policy


def _missing_default(policy, record: dict):
    """The stored default pool's name when the host no longer has a pool of that name, else None."""
    name = (policy or {}).get("default_storage_pool")
    if not name or any(pool["name"] == name for pool in record.get("storage_pools") or []):
        return None
    return name


def _pools(record: dict) -> str:
    return ", ".join(pool["name"] for pool in record.get("storage_pools") or []) or "none"


def missing_default_pool_warnings(policy, record: dict) -> list:
    """What vm_host_info says when the stored default pool is gone (it reads the host all the same)."""
    name = _missing_default(policy, record)
    if name is None:
        return []
    return [
        f"the stored policy's default_storage_pool {name!r} is not a storage pool of {record['name']} any more "
        f"(pools: {_pools(record)}); vm_compose refuses disks that name no pool until it is back or vm_host sets "
        f"another default_storage_pool"
    ]


def refuse_missing_default_pool(policy, record: dict, disks: list) -> None:
    """The default pool is honoured (as MAAS did): a disk that names no pool and no tag goes to it, so when it is
    gone such a disk is refused instead of landing on whichever pool has room."""
    name = _missing_default(policy, record)
    if name is None:
        return
    for index, disk in enumerate(disks):
        if not disk["pool"] and not disk["tags"]:
            raise DriverError(
                "missing_default_pool",
                f"the stored policy's default_storage_pool {name!r} is not a storage pool of {record['name']} any "
                f"more (pools: {_pools(record)}), and disk {disk['name']!r} (disks[{index}]) names no pool: recreate "
                f"pool {name!r}, set another with vmfleet.hosts.vm_host default_storage_pool, or give the disk a "
                f"pool",
            )
