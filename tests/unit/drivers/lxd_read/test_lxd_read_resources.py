# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""numa[] from /1.0/resources: threads with node, core, siblings, online and isolated; memory and hugepages."""

from __future__ import annotations

import copy
import re

import pytest
from lxd_fixtures import load

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.errors import LxdDataError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.resources import hugepage_size, parse_numa

MIB = 1024**2


def test_real_lxd_host_is_one_node_with_its_threads_memory_and_hugepages():
    numa = parse_numa(load("resources.json"))
    assert numa == [
        {
            "node_id": 0,
            "cpus": [
                {"id": 0, "core": 0, "socket": 0, "siblings": [0], "online": True, "isolated": False},
                {"id": 1, "core": 1, "socket": 0, "siblings": [1], "online": True, "isolated": False},
            ],
            # 24 GiB in MiB; the 1 GiB hugepage pool is 512 pages of 2 MiB
            "memory": {"total": 24576, "hugepages": [{"page_size": 2 * MIB, "total": 512}]},
        }
    ]
    assert hugepage_size(load("resources.json")) == 2 * MIB


def test_two_sockets_two_nodes_hyperthreads_numbered_host_wide():
    numa = parse_numa(load("hand_resources_2node_ht_sriov.json"))
    assert [node["node_id"] for node in numa] == [0, 1]
    node0, node1 = numa
    assert [cpu["id"] for cpu in node0["cpus"]] == [0, 1, 4, 5]
    assert [cpu["id"] for cpu in node1["cpus"]] == [2, 3, 6, 7]
    by_id = {cpu["id"]: cpu for node in numa for cpu in node["cpus"]}
    # LXD numbers cores 0 and 1 in both sockets: the record names a core by its first thread, host-wide
    assert by_id[4]["core"] == 0 and by_id[4]["siblings"] == [0, 4]
    assert by_id[6]["core"] == 2 and by_id[6]["socket"] == 1 and by_id[6]["siblings"] == [2, 6]
    assert by_id[3]["isolated"] is True and by_id[2]["isolated"] is False
    assert by_id[7]["online"] is False
    assert node0["memory"] == {"total": 16384, "hugepages": [{"page_size": 2 * MIB, "total": 1024}]}
    # memory is whole MiB rounded down; a node with no pool still lists the size with 0 pages
    assert node1["memory"] == {"total": 16384, "hugepages": [{"page_size": 2 * MIB, "total": 0}]}


def test_host_without_numa_nodes_is_one_node_with_all_memory():
    doc = load("resources.json")
    del doc["memory"]["nodes"]
    numa = parse_numa(doc)
    assert len(numa) == 1 and numa[0]["memory"]["total"] == 24576
    assert numa[0]["memory"]["hugepages"] == [{"page_size": 2 * MIB, "total": 512}]


def test_older_lxd_with_the_node_on_the_core():
    doc = load("hand_resources_2node_ht_sriov.json")
    for socket in doc["cpu"]["sockets"]:
        for core in socket["cores"]:
            core["numa_node"] = socket["socket"]
            for thread in core["threads"]:
                del thread["numa_node"]
    assert [len(node["cpus"]) for node in parse_numa(doc)] == [4, 4]


def test_memory_only_node_and_no_hugepage_support():
    doc = load("hand_resources_2node_ht_sriov.json")
    doc["memory"]["hugepages_size"] = 0
    for socket in doc["cpu"]["sockets"]:
        for core in socket["cores"]:
            for thread in core["threads"]:
                thread["numa_node"] = 0
    numa = parse_numa(doc)
    assert numa[1]["cpus"] == [] and numa[1]["memory"] == {"total": 16384, "hugepages": []}
    assert hugepage_size(doc) is None


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["cpu"]["sockets"][0]["cores"][0]["threads"][0].pop("id"), "threads[0].id is missing"),
        (lambda d: d["cpu"]["sockets"][0]["cores"][0]["threads"][0].update(id="0"), "is '0', not int"),
        (lambda d: d["cpu"]["sockets"][0]["cores"][0]["threads"][0].update(online="yes"), "not bool"),
        (lambda d: d["cpu"]["sockets"][0]["cores"][1]["threads"][0].update(id=0), "thread 0 is listed twice"),
        (lambda d: d["memory"]["nodes"][0].update(hugepages_total=2**50), "not sizes of a node"),
        (lambda d: d["memory"]["nodes"].append(dict(d["memory"]["nodes"][0])), "NUMA node 0 is listed twice"),
        (lambda d: d.pop("memory"), "/1.0/resources.memory is missing"),
    ],
)
def test_bad_documents_are_refused_naming_the_field(edit, message):
    doc = copy.deepcopy(load("resources.json"))
    edit(doc)
    with pytest.raises(LxdDataError, match=re.escape(message)):
        parse_numa(doc)
