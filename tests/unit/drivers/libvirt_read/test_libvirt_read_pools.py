# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""storage_pools[] entries: thin volumes count at full size, inactive pools offer nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.pools import parse_pool

FIXTURES = Path(__file__).parent / "fixtures"
GIB = 1024**3


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_libvirt_test_driver_pool():
    info = [2, 107374182400, 0, 107374182400]
    assert parse_pool(fixture("testdrv_pool_default_pool.xml"), info, []) == {
        "name": "default-pool",
        "type": "dir",
        "path": "/default-pool",
        "total": 107374182400,
        "used": 0,
        "available": 107374182400,
        "active": True,
    }


def test_thin_volumes_count_at_full_size():
    info = (2, 100 * GIB, 30 * GIB, 70 * GIB)
    volumes = [
        ("web-1-root", "/p/web-1-root", 20 * GIB, 2 * GIB),  # may still grow by 18 GiB
        ("db-1-root", "/p/db-1-root", 10 * GIB, 10 * GIB),  # fully allocated
        ("odd", "/p/odd", 1 * GIB, 2 * GIB),  # allocation above capacity (qcow2 metadata): grows by nothing
    ]
    entry = parse_pool(fixture("testdrv_pool_default_pool.xml"), info, volumes)
    assert entry["total"] == 100 * GIB
    assert entry["used"] == 48 * GIB
    assert entry["available"] == 52 * GIB


def test_available_is_what_the_pool_reports_when_that_is_less():
    # A filesystem reserve: libvirt reports less free space than total - allocation.
    entry = parse_pool(fixture("testdrv_pool_default_pool.xml"), [2, 100 * GIB, 10 * GIB, 80 * GIB], [])
    assert (entry["used"], entry["available"]) == (10 * GIB, 80 * GIB)


def test_overgrown_thin_volumes_leave_nothing_available():
    entry = parse_pool(
        fixture("testdrv_pool_default_pool.xml"), [2, 10 * GIB, 1 * GIB, 9 * GIB], [("v", "/v", 50 * GIB, 0)]
    )
    assert entry["used"] == 51 * GIB
    assert entry["available"] == 0


def test_logical_pool_path_and_inactive_pool():
    entry = parse_pool(fixture("testdrv_pool_vg_nvme.xml"), [0, 107374182400, 0, 107374182400], [("x", "/x", 5, 1)])
    assert entry == {
        "name": "vg_nvme",
        "type": "logical",
        "path": "/dev/vg_nvme",
        "total": 0,
        "used": 0,
        "available": 0,
        "active": False,
    }


@pytest.mark.parametrize("state, active", [(0, False), (1, False), (2, True), (3, True), (4, False)])
def test_pool_states(state, active):
    assert parse_pool(fixture("testdrv_pool_default_pool.xml"), [state, 10, 0, 10], [])["active"] is active


def test_path_falls_back_to_the_source_name():
    xml = "<pool type='rbd'><name>ceph</name><source><name>rbdpool</name></source></pool>"
    assert parse_pool(xml, [2, 10, 0, 10], [])["path"] == "rbdpool"
    assert parse_pool("<pool type='dir'><name>bare</name></pool>", [2, 10, 0, 10], [])["path"] is None


@pytest.mark.parametrize(
    "xml, info, volumes, message",
    [
        ("<pool type='dir'/>", [2, 0, 0, 0], [], "storage pool: <pool> has no <name>"),
        ("<volume/>", [2, 0, 0, 0], [], "storage pool: root element is <volume>, expected <pool>"),
        ("<pool", [2, 0, 0, 0], [], "storage pool: XML is not well-formed"),
        ("<pool><name>p</name></pool>", [2, 0, 0], [], "storage pool 'p': pool info [2, 0, 0] is not [state"),
        ("<pool><name>p</name></pool>", None, [], "storage pool 'p': pool info None is not"),
        ("<pool><name>p</name></pool>", [2, -1, 0, 0], [], "storage pool 'p': pool info capacity: -1 is not a size"),
        ("<pool><name>p</name></pool>", [2, 1, True, 0], [], "pool info allocation: True is not a size"),
        ("<pool><name>p</name></pool>", [2, 1, 0, 0], [("v", "/v", 1)], "volume ('v', '/v', 1) is not (name"),
        ("<pool><name>p</name></pool>", [2, 1, 0, 0], [("v", "/v", "1", 0)], "volume 'v' capacity: '1' is not a size"),
    ],
)
def test_errors(xml, info, volumes, message):
    with pytest.raises(LibvirtXmlError) as err:
        parse_pool(xml, info, volumes)
    assert message in str(err.value)
