# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import (
    REQUEST_KEYS,
    parse_request,
    parse_requests,
)

GB = 10**9
GIB = 1024**3
MIB = 1024**2
ROOT = {"name": "root", "size": 8 * GB, "pool": None, "tags": [], "boot": True}
OUTPUT_KEYS = [
    "name",
    "cores",
    "pinned_cores",
    "memory",
    "hugepages_backed",
    "hugepage_size",
    "numa_strict",
    "disks",
    "interfaces",
    "pool",
    "zone",
    "host_tags",
    "tags",
]


def test_defaults():
    request = parse_request({"name": "web"})
    assert list(request) == OUTPUT_KEYS
    assert request == {
        "name": "web",
        "cores": 1,
        "pinned_cores": None,
        "memory": 2048,
        "hugepages_backed": False,
        "hugepage_size": None,
        "numa_strict": False,
        "disks": [ROOT],
        "interfaces": [],
        "pool": None,
        "zone": None,
        "host_tags": [],
        "tags": [],
    }


def test_default_disk_is_not_shared_between_requests():
    first = parse_request({"name": "a"})
    first["disks"][0]["tags"].append("x")
    assert parse_request({"name": "b"})["disks"] == [ROOT]


def test_none_values_are_defaults_as_ansible_sends_unset_suboptions():
    given = dict.fromkeys(REQUEST_KEYS)
    given["name"] = "web"
    assert parse_request(given) == parse_request({"name": "web"})


def test_everything_given():
    request = parse_request(
        {
            "name": "db",
            "count": 1,
            "cores": "4",
            "pinned_cores": "8-11",
            "memory": "4G",
            "hugepages_backed": "yes",
            "hugepage_size": "1G",
            "numa_strict": "on",
            "storage": "root:20(ssd),data:100(fast)",
            "interfaces": "eth0:space=storage;eth1:subnet=10.0.0.0/24,mode=sriov",
            "pool": "prod",
            "zone": "az1",
            "host_tags": "gpu, nvme",
            "tags": ["db", "critical"],
        }
    )
    assert request["name"] == "db"
    assert request["cores"] == 4
    assert request["pinned_cores"] == [8, 9, 10, 11]
    assert request["memory"] == 4096
    assert request["hugepages_backed"] is True
    assert request["hugepage_size"] == GIB
    assert request["numa_strict"] is True
    assert [(disk["name"], disk["size"], disk["tags"], disk["boot"]) for disk in request["disks"]] == [
        ("root", 20 * GB, ["ssd"], True),
        ("data", 100 * GB, ["fast"], False),
    ]
    assert [(nic["name"], nic["mode"], nic["space"], nic["subnet"]) for nic in request["interfaces"]] == [
        ("eth0", "bridge", "storage", None),
        ("eth1", "sriov", None, "10.0.0.0/24"),
    ]
    assert (request["pool"], request["zone"]) == ("prod", "az1")
    assert request["host_tags"] == ["gpu", "nvme"]
    assert request["tags"] == ["db", "critical"]


def test_disks_as_list():
    disks = parse_request({"name": "a", "disks": [{"size": "10G", "pool": "fast"}]})["disks"]
    assert disks == [{"name": "root", "size": 10 * GIB, "pool": "fast", "tags": [], "boot": True}]


def test_disks_as_string():
    assert parse_request({"name": "a", "disks": "30"})["disks"][0]["size"] == 30 * GB


@pytest.mark.parametrize(
    ("given", "cores", "pinned"),
    [
        ({}, 1, None),
        ({"cores": 3}, 3, None),
        ({"pinned_cores": [2, 3]}, 2, [2, 3]),
        ({"pinned_cores": "0-3"}, 4, [0, 1, 2, 3]),
        ({"pinned_cores": "0-3", "cores": 4}, 4, [0, 1, 2, 3]),
        ({"pinned_cores": "auto"}, 1, "auto"),
        ({"pinned_cores": "auto", "cores": 6}, 6, "auto"),
        ({"pinned_cores": [], "cores": 2}, 2, None),
    ],
)
def test_cores_and_pinning(given, cores, pinned):
    request = parse_request({"name": "a", **given})
    assert (request["cores"], request["pinned_cores"]) == (cores, pinned)


@pytest.mark.parametrize(
    ("memory", "page", "page_bytes"),
    [(4096, "1G", GIB), ("3G", "1G", GIB), (2050, "2M", 2 * MIB), (2048, "2048kB", 2 * MIB)],
)
def test_hugepages(memory, page, page_bytes):
    request = parse_request({"name": "a", "memory": memory, "hugepages_backed": True, "hugepage_size": page})
    assert request["hugepage_size"] == page_bytes


def test_hugepages_without_size_lets_the_core_choose():
    request = parse_request({"name": "a", "hugepages_backed": True})
    assert (request["hugepages_backed"], request["hugepage_size"]) == (True, None)


def error(value, option="requests[0]"):
    with pytest.raises(SpecError) as info:
        parse_request(value, option)
    return info.value


@pytest.mark.parametrize(
    ("given", "option", "bad", "reason"),
    [
        (
            {"name": "a", "coers": 2},
            "requests[0]",
            "coers",
            "is not a known key; allowed: " + ", ".join(REQUEST_KEYS) + " (did you mean 'cores'?)",
        ),
        ({"name": "a", "state": "present"}, "requests[0]", "state", "is not a known key; allowed: name, count"),
        ({"name": "-a"}, "requests[0].name", "-a", "is not a valid VM name"),
        ({"name": 5}, "requests[0].name", 5, "is not a string; give a VM name as text"),
        ({"name": "a", "count": 0}, "requests[0].count", 0, "is out of range; use a whole number from 1 to 1000"),
        (
            {"name": "a", "count": 3},
            "requests[0].count",
            3,
            "is not allowed here: this describes one VM; drop count (or list several VMs in requests)",
        ),
        ({"name": "a", "cores": 0}, "requests[0].cores", 0, "is out of range; use a whole number from 1 to 8192"),
        ({"name": "a", "cores": 1.5}, "requests[0].cores", 1.5, "is not a whole number"),
        (
            {"name": "a", "cores": 2, "pinned_cores": "0-3,8"},
            "requests[0].cores",
            2,
            "does not match pinned_cores '0-3,8' (5 cores); "
            "pin exactly as many cores as the VM has, leave cores out, or use pinned_cores: auto",
        ),
        ({"name": "a", "pinned_cores": "3-1"}, "requests[0].pinned_cores", "3-1", "has the reversed range '3-1'"),
        (
            {"name": "a", "memory": "2GB"},
            "requests[0].memory",
            "2GB",
            "is not a whole number of MiB (2000000000 bytes)",
        ),
        ({"name": "a", "memory": 0}, "requests[0].memory", 0, "is zero"),
        ({"name": "a", "hugepages_backed": "sure"}, "requests[0].hugepages_backed", "sure", "is not a boolean"),
        ({"name": "a", "numa_strict": 2}, "requests[0].numa_strict", 2, "is not a boolean"),
        (
            {"name": "a", "hugepage_size": "2M"},
            "requests[0].hugepage_size",
            "2M",
            "is given but hugepages_backed is false; set hugepages_backed: true or drop hugepage_size",
        ),
        (
            {"name": "a", "hugepage_size": "2M", "hugepages_backed": "no"},
            "requests[0].hugepage_size",
            "2M",
            "is given but hugepages_backed is false",
        ),
        (
            {"name": "a", "hugepages_backed": True, "hugepage_size": "3M"},
            "requests[0].hugepage_size",
            "3M",
            "is not a page size",
        ),
        (
            {"name": "a", "memory": 3000, "hugepages_backed": True, "hugepage_size": "1G"},
            "requests[0].memory",
            3000,
            "is not a whole multiple of hugepage_size '1G' (1GiB); "
            "hugepages-backed memory is whole pages: use e.g. 2048 or 3072 (MiB)",
        ),
        (
            {"name": "a", "memory": "2.5G", "hugepages_backed": True, "hugepage_size": "1G"},
            "requests[0].memory",
            "2.5G",
            "(2560 MiB) is not a whole multiple of hugepage_size '1G' (1GiB); "
            "hugepages-backed memory is whole pages: use e.g. 2048 or 3072 (MiB)",
        ),
        (
            {"name": "a", "memory": 512, "hugepages_backed": True, "hugepage_size": "1G"},
            "requests[0].memory",
            512,
            "is not a whole multiple of hugepage_size '1G' (1GiB); "
            "hugepages-backed memory is whole pages: use e.g. 1024 (MiB)",
        ),
        (
            {"name": "a", "memory": 1025, "hugepages_backed": True, "hugepage_size": 2048},
            "requests[0].memory",
            1025,
            "is not a whole multiple of hugepage_size 2048 (2MiB); "
            "hugepages-backed memory is whole pages: use e.g. 1024 or 1026 (MiB)",
        ),
        (
            {"name": "a", "hugepages_backed": True, "hugepage_size": "16G"},
            "requests[0].memory",
            2048,
            "is not a whole multiple of hugepage_size '16G' (16GiB)",
        ),
        (
            {"name": "a", "disks": "20", "storage": "20"},
            "requests[0].storage",
            "20",
            "cannot be given together with disks; storage is MAAS's string form of disks, use one of them",
        ),
        ({"name": "a", "storage": "root:x"}, "requests[0].storage[0].size", "x", "is not a size"),
        ({"name": "a", "disks": []}, "requests[0].disks", [], "has no disk"),
        (
            {"name": "a", "interfaces": "mode=x"},
            "requests[0].interfaces[0].mode",
            "x",
            "is neither an attachment kind here (bridge, macvlan, sriov) nor MAAS's IP mode",
        ),
        (
            {"name": "a", "pool": ""},
            "requests[0].pool",
            "",
            "is empty; give a resource pool name or leave the option out",
        ),
        ({"name": "a", "zone": ["z"]}, "requests[0].zone", ["z"], "is not a string; give a zone name as text"),
        ({"name": "a", "host_tags": "gpu,a b"}, "requests[0].host_tags[1]", "a b", "is not a tag"),
        ({"name": "a", "tags": 3}, "requests[0].tags", 3, "is not a list of tags"),
        ("web", "requests[0]", "web", "is not a VM request; use a mapping with the keys " + ", ".join(REQUEST_KEYS)),
    ],
)
def test_refused(given, option, bad, reason):
    found = error(given)
    assert found.option == option
    assert found.value == bad
    assert str(found).startswith(f"{option}: {bad!r} {reason}")


def test_name_is_required():
    assert str(error({"cores": 2})) == "requests[0].name is required; give the VM a name (with count N: <name>-1..N)"
    assert str(error({"name": None})).startswith("requests[0].name is required")


def test_option_path_is_the_callers():
    assert error({"name": "a", "cores": 0}, "").option == "cores"
    assert error({"name": "a", "cores": 0}, "vm").option == "vm.cores"


def test_requests_expand_count():
    requests = parse_requests([{"name": "web", "count": 3, "tags": "x"}, {"name": "db"}, {"name": "one", "count": 1}])
    assert [request["name"] for request in requests] == ["web-1", "web-2", "web-3", "db", "one"]
    assert all(list(request) == OUTPUT_KEYS for request in requests)
    requests[0]["tags"].append("changed")
    requests[0]["disks"][0]["size"] = 1
    assert requests[1]["tags"] == ["x"]
    assert requests[1]["disks"] == [ROOT]


def test_requests_empty():
    assert parse_requests([]) == []


def test_requests_may_share_pinned_cores_as_they_may_land_on_different_hosts():
    requests = parse_requests([{"name": "a", "pinned_cores": "0-1"}, {"name": "b", "pinned_cores": [0, 1]}])
    assert [request["pinned_cores"] for request in requests] == [[0, 1], [0, 1]]


def errors(values):
    with pytest.raises(SpecError) as info:
        parse_requests(values)
    return info.value


@pytest.mark.parametrize(
    ("values", "option", "bad", "reason"),
    [
        (
            {"name": "a"},
            "requests",
            {"name": "a"},
            "is not a list of VM requests; use a list of mappings, each with a name",
        ),
        (None, "requests", None, "is not a list of VM requests"),
        ([{"name": "a"}, "b"], "requests[1]", "b", "is not a VM request"),
        ([{"name": "a"}, {"name": "b", "cores": -1}], "requests[1].cores", -1, "is out of range"),
        (
            [{"name": "a"}, {"name": "a"}],
            "requests[1].name",
            "a",
            "is used twice: requests[0] also makes a VM named 'a'; each VM needs its own name",
        ),
        (
            [{"name": "web", "count": 2}, {"name": "web-2"}],
            "requests[1].name",
            "web-2",
            "is used twice: requests[0] (count 2) also makes a VM named 'web-2'; each VM needs its own name",
        ),
        (
            [{"name": "web-1"}, {"name": "web", "count": 2}],
            "requests[1].name",
            "web-1",
            "is used twice (made by count 2): requests[0] also makes a VM named 'web-1'",
        ),
        (
            [{"name": "web", "count": 2}, {"name": "web", "count": 3}],
            "requests[1].name",
            "web-1",
            "is used twice (made by count 3): requests[0] (count 2) also makes",
        ),
        (
            [{"name": "a" * 61, "count": 10}],
            "requests[0].name",
            "a" * 61,
            f"is too long for count 10: {'a' * 61 + '-10'!r} has 64 characters; VM names have at most 63",
        ),
        (
            [{"name": "a", "count": 2, "interfaces": "space=x;mac=52:54:00:00:00:01"}],
            "requests[0].interfaces[1].mac",
            "52:54:00:00:00:01",
            "would be given to all 2 VMs of this request (count 2); "
            "a MAC address belongs to one VM: describe those VMs one by one",
        ),
        (
            [{"name": "a", "count": 2, "interfaces": [{"ip": "10.0.0.5"}]}],
            "requests[0].interfaces[0].ip",
            "10.0.0.5",
            "would be given to all 2 VMs of this request (count 2)",
        ),
        (
            [
                {"name": "a", "interfaces": "mac=52:54:00:00:00:01"},
                {"name": "b", "interfaces": "space=x;mac=52-54-00-00-00-01"},
            ],
            "requests[1].interfaces[1].mac",
            "52:54:00:00:00:01",
            "is used twice (also requests[0].interfaces[0].mac); each NIC needs its own",
        ),
        (
            [{"name": "a", "interfaces": "ip=10.0.0.5"}, {"name": "b", "interfaces": [{"ip": "10.0.0.5"}]}],
            "requests[1].interfaces[0].ip",
            "10.0.0.5",
            "is used twice (also requests[0].interfaces[0].ip)",
        ),
    ],
)
def test_requests_refused(values, option, bad, reason):
    found = errors(values)
    assert found.option == option
    assert found.value == bad
    assert str(found).startswith(f"{option}: {bad!r} {reason}")


def test_requests_need_names():
    assert str(errors([{"name": "a"}, {"count": 2}])).startswith("requests[1].name is required")
