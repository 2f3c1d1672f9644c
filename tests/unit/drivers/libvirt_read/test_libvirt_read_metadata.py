# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Our <metadata> element read back, whatever prefix the writer used."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.metadata import (
    VMFLEET_NS,
    parse_metadata,
    unmanaged,
)

UNMANAGED = {"managed": False, "pool": None, "tags": [], "volumes": [], "request": None}


def metadata(body: str, prefix: str = "vmfleet") -> ET.Element:
    return ET.fromstring(f"<metadata><{prefix}:vm xmlns:{prefix}='{VMFLEET_NS}'>{body}</{prefix}:vm></metadata>")


def test_namespace_is_the_one_the_writer_uses():
    assert VMFLEET_NS == "http://vmfleet.hosts/xmlns/vm/1.0"


def test_full_metadata():
    element = metadata(
        "<vmfleet:pool>default</vmfleet:pool>"
        "<vmfleet:tags><vmfleet:tag>web</vmfleet:tag><vmfleet:tag> </vmfleet:tag></vmfleet:tags>"
        "<vmfleet:volumes><vmfleet:volume pool='default' name='web-1-root'/></vmfleet:volumes>"
        '<vmfleet:request>{"name": "web-1", "cores": 2}</vmfleet:request>'
    )
    assert parse_metadata(element) == {
        "managed": True,
        "pool": "default",
        "tags": ["web"],
        "volumes": [{"pool": "default", "name": "web-1-root"}],
        "request": {"name": "web-1", "cores": 2},
    }


def test_any_prefix_and_missing_parts():
    assert parse_metadata(metadata("", prefix="vf")) == {
        "managed": True,
        "pool": None,
        "tags": [],
        "volumes": [],
        "request": None,
    }


def test_not_ours():
    assert parse_metadata(None) == UNMANAGED
    other = ET.fromstring(
        "<metadata><app:vm xmlns:app='http://example.com/app'><app:pool>x</app:pool></app:vm></metadata>"
    )
    assert parse_metadata(other) == UNMANAGED
    assert unmanaged() == UNMANAGED
    assert unmanaged() is not unmanaged()


@pytest.mark.parametrize(
    "body, message",
    [
        ("<vmfleet:request>{not json</vmfleet:request>", "domain 'a': vmfleet metadata request is not JSON"),
        ("<vmfleet:request>[1, 2]</vmfleet:request>", "vmfleet metadata request is list, not a JSON object"),
        ("<vmfleet:volumes><vmfleet:volume pool='p'/></vmfleet:volumes>", "has a volume without pool or name"),
    ],
)
def test_errors(body, message):
    with pytest.raises(LibvirtXmlError) as err:
        parse_metadata(metadata(body), "domain 'a'")
    assert message in str(err.value)
