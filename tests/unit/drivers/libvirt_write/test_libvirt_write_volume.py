# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Storage volume XML and the volume format of each pool type."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.errors import RenderError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.volume import (
    disk_format_for,
    render_volume,
    volume_format_for,
)


def test_qcow2_volume():
    root = ET.fromstring(render_volume("web-1-root", 20 * 1024**3, "qcow2"))
    assert root.tag == "volume"
    assert root.findtext("name") == "web-1-root"
    assert (root.findtext("capacity"), root.find("capacity").get("unit")) == (str(20 * 1024**3), "bytes")
    assert (root.findtext("allocation"), root.find("allocation").get("unit")) == ("0", "bytes")
    assert root.find("target/format").attrib == {"type": "qcow2"}


def test_format_left_out_for_logical_pools():
    root = ET.fromstring(render_volume("lv-1", 10**9, None, allocation_bytes=10**9))
    assert root.find("target") is not None
    assert root.find("target/format") is None
    assert root.findtext("allocation") == str(10**9)


def test_name_is_escaped():
    assert ET.fromstring(render_volume("a<b&'c\"", 1, "raw")).findtext("name") == "a<b&'c\""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", 1, "raw"), "volume name: expected a non-empty string"),
        (("a/b", 1, "raw"), "without '/'"),
        (("v", 0, "raw"), "capacity_bytes: expected an integer of at least 1"),
        (("v", True, "raw"), "capacity_bytes: expected an integer"),
        (("v", 10, "raw", -1), "allocation_bytes: expected an integer of at least 0"),
        (("v", 10, "raw", 11), "allocation_bytes: 11 exceeds capacity_bytes 10"),
        (("v", 10, "vmdk"), "fmt: expected one of qcow2, raw or None"),
    ],
)
def test_bad_volume(args, message):
    with pytest.raises(RenderError, match=message):
        render_volume(*args)


@pytest.mark.parametrize(
    ("pool_type", "volume_format", "disk_format"),
    [
        ("dir", "qcow2", "qcow2"),
        ("fs", "qcow2", "qcow2"),
        ("netfs", "qcow2", "qcow2"),
        ("nfs", "qcow2", "qcow2"),
        ("rbd", "raw", "raw"),
        ("gluster", "raw", "raw"),
        ("logical", None, "raw"),
        ("disk", None, "raw"),
        ("iscsi", None, "raw"),
        ("zfs", None, "raw"),
    ],
)
def test_formats_per_pool_type(pool_type, volume_format, disk_format):
    assert volume_format_for(pool_type) == volume_format
    assert disk_format_for(pool_type) == disk_format


def test_unknown_pool_type():
    with pytest.raises(RenderError, match="pool type 'ceph' is not a libvirt storage pool type"):
        volume_format_for("ceph")
