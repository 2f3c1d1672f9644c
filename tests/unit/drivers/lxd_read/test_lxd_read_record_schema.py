# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A record built from the LXD readers has exactly the documented keys once the capacity core has read it, as
the libvirt one does (the host_record doc fragment is the schema)."""

from __future__ import annotations

import yaml
from lxd_fixtures import load

from ansible_collections.vmfleet.hosts.plugins.doc_fragments.host_record import ModuleDocFragment
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.placement import plan
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.host_record import INTERFACE_KEYS
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.interfaces import apply_networks
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.discovery import LXD_NETWORK, count_vfs
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.networks import (
    parse_network,
    sriov_cards,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.pools import parse_pool
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.resources import parse_numa
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_requests


def documented():
    return yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]["hosts"]["suboptions"]


def compare(value, doc, path, problems):
    """Every key of ``value`` is documented and every documented key is present (as tests/unit/test_record_schema)."""
    if isinstance(value, list):
        for item in value[:1]:
            compare(item, doc, f"{path}[]", problems)
        return
    if not isinstance(value, dict) or not doc:
        return
    problems.extend(f"{path}.{key} is returned but not documented" for key in sorted(set(value) - set(doc)))
    problems.extend(f"{path}.{key} is documented but not returned" for key in sorted(set(doc) - set(value)))
    for key in set(value) & set(doc):
        compare(value[key], doc[key].get("suboptions"), f"{path}.{key}", problems)


def lxd_record():
    resources = load("hand_resources_2node_ht_sriov.json")
    states = {name: load(f"network_state_{name}.json") for name in ("lxdbr0", "eth0", "virbr0")}
    interfaces = [e for e in (parse_network(n, states.get(n["name"])) for n in load("networks.json")) if e]
    interfaces += sriov_cards(resources)
    count_vfs(interfaces, [])
    apply_networks(
        interfaces, [{"name": "lxdbr0", "vlans": [], "subnets": [], "spaces": ["a"], "default": True}], LXD_NETWORK
    )
    pool = dict(parse_pool(load("storage_pools.json")[0], load("storage_pool_default_resources.json")), default=True)
    return {
        "name": "vm",
        "type": "lxd",
        "hardware_id": "lxd:5c1c0b4a",
        "numa": parse_numa(resources),
        "storage_pools": [pool],
        "default_storage_pool": "default",
        "interfaces": [{k: i.get(k) for k in INTERFACE_KEYS} for i in interfaces],
        "vms": [],
    }


def test_lxd_record_matches_the_documented_schema():
    requests = parse_requests(
        [{"name": "new", "cores": 1, "pinned_cores": "auto", "memory": 512, "interfaces": "eth0:;eth1:mode=sriov"}]
    )
    result = plan([lxd_record()], requests)
    assert result["placements"], result["unplaced"]
    problems = []
    compare(result["hosts"][0], documented(), "hosts[]", problems)
    assert not problems, "\n".join(problems)
    # the SR-IOV VF goes on the card's NUMA node 1, as on libvirt
    assert result["placements"][0]["numanode_set"] == [1]
