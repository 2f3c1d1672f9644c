# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Argument spec of the VM host record, the twin of the ``vmfleet.hosts.host_record`` doc fragment.

validate-modules compares a module's argument spec with its documentation, so every type, default, choice and
suboption here has its line in ``plugins/doc_fragments/host_record.py``; change both together.

The computed blocks (total/used/available, numa memory.general, hugepage allocated/free, numa cores and vms) are
accepted so that a vm_host_info result can be fed back; the capacity core ignores and recomputes them.
"""

from __future__ import annotations

import copy

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError, child, item
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.mappings import require_mapping


def _str(**kwargs):
    return {"type": "str", **kwargs}


def _int(**kwargs):
    return {"type": "int", **kwargs}


def _bool(**kwargs):
    return {"type": "bool", **kwargs}


def _list(elements, **kwargs):
    return {"type": "list", "elements": elements, **kwargs}


def _dicts(options, **kwargs):
    return {"type": "list", "elements": "dict", "options": options, **kwargs}


def _dict(options, **kwargs):
    return {"type": "dict", "options": options, **kwargs}


def _capacity_block():
    return _dict({"cores": _int(), "vcpus": _int(), "memory": _int(), "hugepages": _int(), "local_storage": _int()})


_NUMA_NODE = {
    "node_id": _int(required=True),
    "cpus": {"type": "raw"},
    "memory": _dict(
        {
            "total": _int(required=True),
            "general": _dict({"total": _int(), "allocated": _int(), "free": _int()}),
            "hugepages": _dicts(
                {"page_size": _int(required=True), "total": _int(required=True), "allocated": _int(), "free": _int()}
            ),
        },
        required=True,
    ),
    "cores": _dict({"free": _list("int"), "allocated": _list("int")}),
    "vms": _list("str"),
}

_STORAGE_POOL = {
    "name": _str(required=True),
    "type": _str(default="dir"),
    "path": _str(),
    "total": _int(required=True),
    "used": _int(default=0),
    "available": _int(),
    "default": _bool(default=False),
    "tags": _list("str"),
    "active": _bool(default=True),
}

_INTERFACE = {
    "name": _str(required=True),
    "type": _str(default="physical"),
    "numa_node": _int(),
    "default": _bool(default=False),
    "sriov_max_vf": _int(default=0),
    "sriov_used_vf": _int(default=0),
    "networks": _list("str"),
    "vlans": _list("int"),
    "subnets": _list("str"),
    "spaces": _list("str"),
    "forward_mode": _str(),
    "bridge": _str(),
    "dhcp": _bool(default=False),
    "dhcp_ranges": _list("str"),
    "active": _bool(default=True),
}

# One VM's allocation: the shape of vm_plan's placements[] and of every host's vms[].
_ALLOCATION = {
    "name": _str(required=True),
    "host": _str(),
    "planned": _bool(),
    "cores": _int(),
    "pinned_cores": _list("int"),
    "memory": _int(),
    "hugepages_backed": _bool(),
    "hugepages": _dicts({"node_id": _int(), "page_size": _int(), "count": _int()}),
    "numanode_set": _list("int"),
    "spans_numa_nodes": _bool(),
    "disks": _dicts({"name": _str(), "pool": _str(), "size": _int()}),
    "interfaces": _dicts(
        {
            "name": _str(),
            "host_interface": _str(),
            "mode": _str(),
            "network": _str(),
            "bridge": _str(),
            "space": _str(),
            "subnet": _str(),
            "vlan": _int(),
            "ip": _str(),
            "mac": _str(),
            "macvlan_mode": _str(),
            "vf": _bool(),
        }
    ),
    "power_state": _str(),
    "pool": _str(),
    "tags": _list("str"),
    "notes": _list("str"),
    "drift": _dicts({"kind": _str(), "what": _str(), "detail": _str(), "repairable": _bool()}),
}

_HOST_RECORD = {
    "name": _str(required=True),
    "type": _str(choices=["libvirt", "lxd", "incus", "manual"], default="manual"),
    "hardware_id": _str(),
    "pool": _str(default="default"),
    "zone": _str(default="default"),
    "tags": _list("str"),
    "cpu_over_commit_ratio": {"type": "float", "default": 1.0},
    "memory_over_commit_ratio": {"type": "float", "default": 1.0},
    "reserved": _dict({"cores": _int(default=0), "memory": _int(default=0)}),
    "default_storage_pool": _str(),
    "numa": _dicts(_NUMA_NODE, required=True),
    "storage_pools": _dicts(_STORAGE_POOL),
    "interfaces": _dicts(_INTERFACE),
    "vms": _dicts(_ALLOCATION),
    "total": _capacity_block(),
    "used": _capacity_block(),
    "available": _capacity_block(),
}


def host_record_options() -> dict:
    """Suboptions of one host record (a fresh copy: AnsibleModule may annotate the spec it is given)."""
    return copy.deepcopy(_HOST_RECORD)


def hosts_argspec(required: bool = True) -> dict:
    """Argument spec of the ``hosts`` option: a list of host records."""
    return _dicts(host_record_options(), required=required)


def strip_unset(value):
    """Drop the ``None`` values AnsibleModule fills in for suboptions that were not given.

    The core then sees exactly what the user wrote (plus the documented defaults) and applies its own defaults,
    instead of mistaking an absent list or block for an explicit null.
    """
    if isinstance(value, dict):
        return {key: strip_unset(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [strip_unset(item) for item in value]
    return value


def check_records(hosts: object, option: str = "hosts") -> None:
    """Refuse what the argument spec refused and the capacity core would not notice: unknown keys and choices.

    vm_plan's action plugin checks host records here instead of running Ansible's argument spec over them (at
    fleet scale that validation, with its deep copies and filled-in defaults, cost more than the plan itself).
    Values are left to the core's parsers, which check every figure they read and name the option; this walk
    catches a misspelt key (``cpu_ratio``), which the core would otherwise ignore and plan with the default.
    """
    if not isinstance(hosts, list):
        raise SpecError(option, hosts, "is not a list of host records")
    for index, record in enumerate(hosts):
        _check(record, _HOST_RECORD, item(option, index), "a host record")


def _check(value, options, option, what):
    given = require_mapping(value, option, tuple(options), what)
    for key, given_value in given.items():
        where, entry = child(option, key), options[key]
        if entry.get("choices") and given_value not in entry["choices"]:
            raise SpecError(where, given_value, f"is not one of {', '.join(entry['choices'])}")
        suboptions = entry.get("options")
        if not suboptions:
            continue
        if entry["type"] == "dict":
            _check(given_value, suboptions, where, "a mapping")
            continue
        if not isinstance(given_value, list):
            raise SpecError(where, given_value, "is not a list of mappings")
        for index, element in enumerate(given_value):
            _check(element, suboptions, item(where, index), "a mapping")
