# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VM host policy that ``vm_host`` stores on a host: parsing, defaults and merging.

Options left out keep what the host already stores (as MAAS's pod update did), so a playbook can change one
ratio without restating the rest; a new host starts from the defaults below.
"""

from __future__ import annotations

import copy

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.policy import parse_ratio, parse_reserved
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.addresses import parse_subnet
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError, child, item
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.limits import MAX_CORES, MAX_MEMORY_MIB
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.mappings import require_mapping
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.scalars import parse_bool, parse_int, parse_text
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.sizes import parse_memory_mib
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.tags import parse_tags

DEFAULT_POLICY = {
    "cpu_over_commit_ratio": 1.0,
    "memory_over_commit_ratio": 1.0,
    "reserved": {"cores": 0, "memory": 0},
    "pool": "default",
    "zone": "default",
    "tags": [],
    "default_storage_pool": None,
    "networks": [],
}
POLICY_KEYS = tuple(DEFAULT_POLICY)
_NETWORK_KEYS = ("name", "vlans", "subnets", "spaces", "default")


def _networks(value, option):
    if not isinstance(value, list):
        raise SpecError(option, value, "is not a list of networks ({name, vlans, subnets, spaces, default})")
    networks, names = [], set()
    for index, entry in enumerate(value):
        where = item(option, index)
        given = require_mapping(entry, where, _NETWORK_KEYS, "a network")
        name = parse_text(given.get("name"), child(where, "name"), "the name of a libvirt network or host interface")
        if name in names:
            raise SpecError(child(where, "name"), name, "is declared twice; declare each network once")
        names.add(name)
        vlans = given.get("vlans") or []
        if not isinstance(vlans, list):
            raise SpecError(child(where, "vlans"), vlans, "is not a list of VLAN ids")
        subnets = given.get("subnets") or []
        if not isinstance(subnets, list):
            raise SpecError(child(where, "subnets"), subnets, "is not a list of subnets in CIDR form")
        networks.append(
            {
                "name": name,
                "vlans": [parse_int(v, item(child(where, "vlans"), i), 0, 4094) for i, v in enumerate(vlans)],
                "subnets": [parse_subnet(s, item(child(where, "subnets"), i)) for i, s in enumerate(subnets)],
                "spaces": parse_tags(given.get("spaces"), child(where, "spaces")),
                "default": parse_bool(given.get("default", False), child(where, "default")),
            }
        )
    if sum(1 for n in networks if n["default"]) > 1:
        raise SpecError(option, [n["name"] for n in networks if n["default"]], "mark more than one network default")
    return networks


# What no machine has: Linux on x86_64 runs at most 8192 CPUs (NR_CPUS with MAXSMP), and 52-bit physical
# addresses (5-level paging) reach 4 PiB. A reserve beyond them is a typo, not a policy.
RESERVE_LIMITS = {"reserved.cores": (MAX_CORES, "cores"), "reserved.memory": (MAX_MEMORY_MIB, "MiB (4 PiB)")}


def _bounded(number: int, option: str) -> int:
    limit, unit = RESERVE_LIMITS[option]
    if number > limit:
        raise SpecError(option, number, f"is more than any machine has; use at most {limit} {unit}")
    return number


def parse_policy(given: dict) -> dict:
    """The policy options that were given (None means not given), validated and normalised."""
    policy = {}
    for key, value in given.items():
        if value is None:
            continue
        if key in ("cpu_over_commit_ratio", "memory_over_commit_ratio"):
            policy[key] = parse_ratio(value, key)
        elif key == "reserved":
            reserved = require_mapping(value, key, ("cores", "memory"), "reserved resources")
            policy[key] = {
                "cores": _bounded(parse_reserved(reserved.get("cores", 0), "reserved.cores"), "reserved.cores"),
                # 0 is allowed: it is how a reserve once set is cleared
                "memory": _bounded(
                    parse_memory_mib(reserved["memory"], "reserved.memory", allow_zero=True), "reserved.memory"
                )
                if "memory" in reserved
                else 0,
            }
        elif key in ("pool", "zone"):
            policy[key] = parse_text(value, key, "a name")
        elif key == "tags":
            policy[key] = parse_tags(value, key)
        elif key == "default_storage_pool":
            policy[key] = parse_text(value, key, "the name of a storage pool")
        elif key == "networks":
            policy[key] = _networks(value, key)
        else:
            raise SpecError(key, value, f"is not a policy option; allowed: {', '.join(POLICY_KEYS)}")
    return policy


def merge_policy(stored, changes: dict) -> dict:
    """The defaults, overlaid by what the host stores, overlaid by the options given."""
    merged = copy.deepcopy(DEFAULT_POLICY)
    for source in (stored or {}, changes):
        for key in POLICY_KEYS:
            if key in source:
                merged[key] = copy.deepcopy(source[key])
    return merged
