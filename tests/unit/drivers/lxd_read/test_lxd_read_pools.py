# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""storage_pools[] from LXD: the pool's resources plus what its sized volumes may still grow by."""

from __future__ import annotations

import pytest
from lxd_fixtures import load

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.errors import LxdDataError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.pools import (
    parse_pool,
    root_disks,
    volume_growth,
    volume_sizes,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.units import size_bytes

GIB = 1024**3
INSTANCES = [
    {
        "name": "web",
        "project": "default",
        "expanded_devices": {"root": {"type": "disk", "path": "/", "pool": "default", "size": "10GiB"}},
    },
    {"name": "db", "project": "vmf", "expanded_devices": {"root": {"type": "disk", "path": "/", "pool": "fast"}}},
    {"name": "nodisk", "expanded_devices": {"eth0": {"type": "nic", "network": "lxdbr0"}}},
]
VOLUMES = [
    {"name": "web", "type": "container", "project": "default", "config": {}},
    {"name": "web-data", "type": "custom", "project": "default", "config": {"size": "5GB"}},
    {"name": "scratch", "type": "custom", "project": "vmf", "config": {}},
    {"name": "28b9c90b", "type": "image", "project": "default", "config": {"size": "3GiB"}},
]


def test_real_dir_pool():
    pool = load("storage_pools.json")[0]
    resources = load("storage_pool_default_resources.json")
    entry = parse_pool(pool, resources)
    assert entry == {
        "name": "default",
        "type": "dir",
        "path": "/var/lib/lxd/storage-pools/default",
        "total": resources["space"]["total"],
        "used": resources["space"]["used"],
        "available": resources["space"]["total"] - resources["space"]["used"],
        "active": True,
    }


def test_growth_counts_on_top_and_available_never_negative():
    pool = load("storage_pools.json")[0]
    resources = {"space": {"total": 100 * GIB, "used": 30 * GIB}}
    assert parse_pool(pool, resources, 20 * GIB)["used"] == 50 * GIB
    assert parse_pool(pool, resources, 20 * GIB)["available"] == 50 * GIB
    full = parse_pool(pool, resources, 90 * GIB)
    assert full["used"] == 120 * GIB and full["available"] == 0


def test_pool_lxd_cannot_measure_or_not_created_offers_nothing():
    pool = load("storage_pools.json")[0]
    assert parse_pool(pool, None)["active"] is False
    errored = dict(pool, status="Errored")
    entry = parse_pool(errored, {"space": {"total": GIB, "used": 0}})
    assert entry["active"] is False and entry["total"] == 0 and entry["available"] == 0


def test_root_disks_of_instances_in_all_projects():
    assert root_disks(INSTANCES) == {("default", "web"): ("default", 10 * GIB), ("vmf", "db"): ("fast", None)}


def test_volume_sizes_take_root_disk_sizes_and_leave_images_out():
    sized = volume_sizes("default", VOLUMES, root_disks(INSTANCES))
    assert sized == [
        {"project": "default", "type": "container", "name": "web", "size": 10 * GIB},
        {"project": "default", "type": "custom", "name": "web-data", "size": 5 * 1000**3},
        {"project": "vmf", "type": "custom", "name": "scratch", "size": None},
    ]


def test_growth_uses_usage_where_known_and_the_whole_size_elsewhere():
    sized = volume_sizes("default", VOLUMES, root_disks(INSTANCES))
    # dir: no usage at all, so every sized volume counts in full
    assert volume_growth(sized, {}) == 10 * GIB + 5 * 1000**3
    usage = {("default", "container", "web"): 4 * GIB, ("default", "custom", "web-data"): 6 * 1000**3}
    assert volume_growth(sized, usage) == 6 * GIB  # a volume already past its size grows by nothing
    with pytest.raises(LxdDataError, match="usage -1"):
        volume_growth(sized, {("default", "container", "web"): -1})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10GiB", 10 * GIB), ("500MB", 500 * 1000**2), ("1073741824", GIB), ("20 GiB", 20 * GIB), (42, 42), ("1kB", 1000)],
)
def test_lxd_sizes(text, expected):
    assert size_bytes(text, "size") == expected


@pytest.mark.parametrize("text", ["10 gigs", "-1", "1.5GiB", "", None, True])
def test_bad_sizes_are_refused_naming_the_field(text):
    with pytest.raises(LxdDataError, match="web: root size"):
        size_bytes(text, "web: root size")
