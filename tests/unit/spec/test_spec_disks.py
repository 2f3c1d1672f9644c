# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.disks import STORAGE_FORM, parse_disks
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

GB = 10**9
GIB = 1024**3


def disk(name, size, tags=(), pool=None, boot=False):
    return {"name": name, "size": size, "pool": pool, "tags": list(tags), "boot": boot}


def test_maas_documented_storage_example():
    assert parse_disks("root:20(ssd),data:100(fast)") == [
        disk("root", 20 * GB, ["ssd"], boot=True),
        disk("data", 100 * GB, ["fast"]),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "root:20(ssd),data:100(fast,nvme)",
            [disk("root", 20 * GB, ["ssd"], boot=True), disk("data", 100 * GB, ["fast", "nvme"])],
        ),
        ("20,100(ssd)", [disk("root", 20 * GB, boot=True), disk("disk1", 100 * GB, ["ssd"])]),
        ("20", [disk("root", 20 * GB, boot=True)]),
        ("os:1.5T", [disk("os", 3 * 1024**4 // 2, boot=True)]),
        (
            " root : 20G ( ssd , fast ) , 5 ",
            [disk("root", 20 * GIB, ["ssd", "fast"], boot=True), disk("disk1", 5 * GB)],
        ),
        ("root:20(),x:1", [disk("root", 20 * GB, boot=True), disk("x", GB)]),
        ("1,2,3", [disk("root", GB, boot=True), disk("disk1", 2 * GB), disk("disk2", 3 * GB)]),
        ("boot:20,root:30", [disk("boot", 20 * GB, boot=True), disk("root", 30 * GB)]),
    ],
)
def test_storage_strings(text, expected):
    assert parse_disks(text) == expected


def test_list_of_mappings():
    value = [
        {"size": "20G"},
        {"name": "data", "size": 100, "pool": "fast", "tags": "nvme, ssd"},
        {"size": "1T", "tags": ["archive"], "name": None, "pool": None},
    ]
    assert parse_disks(value) == [
        disk("root", 20 * GIB, boot=True),
        disk("data", 100 * GB, ["nvme", "ssd"], pool="fast"),
        disk("disk2", 1024**4, ["archive"]),
    ]


def test_tuple_is_a_list():
    assert parse_disks(({"size": 1},)) == [disk("root", GB, boot=True)]


def error(value, option="disks"):
    with pytest.raises(SpecError) as info:
        parse_disks(value, option)
    return info.value


@pytest.mark.parametrize(
    ("value", "option", "bad", "reason"),
    [
        ([], "disks", [], "has no disk; a VM needs at least its root disk, e.g. root:20"),
        ("", "disks", "", "has no disk; a VM needs at least its root disk, e.g. root:20"),
        (None, "disks", None, "is not a list of disks; use a list of {name, size, pool, tags} or " + STORAGE_FORM),
        (20, "disks", 20, "is not a list of disks; use a list of {name, size, pool, tags} or " + STORAGE_FORM),
        (
            {"size": 20},
            "disks",
            {"size": 20},
            "is not a list of disks; use a list of {name, size, pool, tags} or " + STORAGE_FORM,
        ),
        (["20"], "disks[0]", "20", "is not a disk; use a mapping with the keys name, size, pool, tags"),
        (
            [{"size": 1}, {"size": 2, "sise": 3}],
            "disks[1]",
            "sise",
            "is not a known key; allowed: name, size, pool, tags (did you mean 'size'?)",
        ),
        (
            [{"size": 1, "bus": "virtio", "iops": 5}],
            "disks[0]",
            ["bus", "iops"],
            "are not known keys; allowed: name, size, pool, tags",
        ),
        ([{"size": 0}], "disks[0].size", 0, "is zero; a size must be greater than zero"),
        ([{"size": -5}], "disks[0].size", -5, "is negative; a size cannot be negative"),
        ([{"size": "12X"}], "disks[0].size", "12X", "is not a size; use a number with an optional unit K, M, G, T, P"),
        ([{"size": 1, "pool": ""}], "disks[0].pool", "", "is empty; give a storage pool name or leave the option out"),
        ([{"size": 1, "pool": 7}], "disks[0].pool", 7, "is not a string; give a storage pool name as text"),
        ([{"size": 1, "name": "my disk"}], "disks[0].name", "my disk", "is not a valid disk name; use letters, digits"),
        ([{"size": 1, "tags": [""]}], "disks[0].tags[0]", "", "is not a tag"),
        (
            [{"size": 1}, {"name": "root", "size": 2}],
            "disks[1].name",
            "root",
            "is used twice (also disks[0]); each disk needs its own name",
        ),
        (
            [{"size": 1}, {"size": 2, "name": "disk2"}, {"size": 3}],
            "disks[2].name",
            "disk2",
            "is used twice (also disks[1]); each disk needs its own name",
        ),
        ("a:1,a:2", "disks[1].name", "a", "is used twice (also disks[0]); each disk needs its own name"),
        ("root:0", "disks[0].size", "0", "is zero; a size must be greater than zero"),
        ("root:-1", "disks[0].size", "-1", "is negative; a size cannot be negative"),
        ("root:", "disks[0].size", "", "is empty; use a number"),
        ("root:(ssd)", "disks[0].size", "", "is empty; use a number"),
        ("root:abc", "disks[0].size", "abc", "is not a size; use a number"),
        (":20", "disks[0].name", "", "is empty; give a disk name or leave the option out"),
        ("root:20,,data:5", "disks[1]", "", "is an empty entry (a stray comma?); expected " + STORAGE_FORM),
        ("root:20,", "disks[1]", "", "is an empty entry (a stray comma?); expected " + STORAGE_FORM),
        ("root:20(ssd)x", "disks[0]", "root:20(ssd)x", "is not a disk; expected " + STORAGE_FORM),
        ("root:20:30", "disks[0]", "root:20:30", "is not a disk; expected " + STORAGE_FORM),
        ("root:20(ssd)(fast)", "disks[0]", "root:20(ssd)(fast)", "is not a disk; expected " + STORAGE_FORM),
        ("root:20(ssd", "disks", "root:20(ssd", "has a '(' that is never closed; expected " + STORAGE_FORM),
        ("root:20)", "disks", "root:20)", "has an unmatched ')' at character 8; expected " + STORAGE_FORM),
        ("root:20((ssd))", "disks", "root:20((ssd))", "has nested '(' at character 9; expected " + STORAGE_FORM),
        ("root:20(s d)", "disks[0].tags[0]", "s d", "is not a tag"),
    ],
)
def test_refused(value, option, bad, reason):
    found = error(value)
    assert found.option == option
    assert found.value == bad
    assert str(found).startswith(f"{option}: {bad!r} {reason}")


def test_missing_size():
    found = error([{"size": 1}, {"name": "data"}])
    assert str(found) == "disks[1].size is required; give the disk size, e.g. 20 (GB) or 20G"


def test_none_size_counts_as_missing():
    assert str(error([{"name": "root", "size": None}])).startswith("disks[0].size is required")


def test_option_path_is_the_callers():
    assert error("root:x", "requests[3].storage").option == "requests[3].storage[0].size"
