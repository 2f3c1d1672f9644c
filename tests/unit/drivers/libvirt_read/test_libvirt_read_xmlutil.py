# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsing, typed attributes, cpusets and PCI addresses shared by the readers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.xmlutil import (
    describe,
    element_bytes,
    expand_cpuset,
    int_attr,
    int_text,
    parse_root,
    pci_address,
    pci_address_of,
    text_of,
    to_int,
)


def test_parse_root_accepts_text_bytes_and_an_xml_declaration():
    assert parse_root("<domain/>", "domain", "domain").tag == "domain"
    assert parse_root(b"<domain/>", "domain").tag == "domain"
    assert parse_root("<?xml version='1.0' encoding='UTF-8'?>\n<pool/>", "pool", "pool").tag == "pool"


@pytest.mark.parametrize(
    "xml, message",
    [
        ("<domain>", "domain: XML is not well-formed"),
        ("", "domain: XML is empty"),
        ("  \n", "domain: XML is empty"),
        (None, "domain: expected XML text, got NoneType"),
        (b"\xff<domain/>", "domain: XML is not UTF-8"),
        ("<network/>", "domain: root element is <network>, expected <domain>"),
        ('<!DOCTYPE d [<!ENTITY a "aaaa">]><domain>&a;</domain>', "DOCTYPE or ENTITY"),
    ],
)
def test_parse_root_errors_name_the_document(xml, message):
    with pytest.raises(LibvirtXmlError) as err:
        parse_root(xml, "domain", "domain")
    assert message in str(err.value)
    assert isinstance(err.value, ValueError)


def test_describe_and_text_of():
    root = ET.fromstring("<x><memory unit='KiB'> 1024 </memory><blank>  </blank></x>")
    assert describe(root.find("memory")) == "<memory unit='KiB'>"
    assert text_of(root, "memory") == "1024"
    assert text_of(root, "blank") is None
    assert text_of(root, "missing") is None
    assert text_of(None) is None


def test_int_helpers():
    element = ET.fromstring("<cpu id='3' bad='x' neg='-1'>7</cpu>")
    assert int_attr(element, "id", "caps") == 3
    assert int_attr(element, "missing", "caps", default=None) is None
    assert int_attr(element, "neg", "caps", minimum=None) == -1
    assert int_text(element, "caps") == 7
    assert to_int(" 12 ", "x") == 12
    with pytest.raises(LibvirtXmlError, match=r"caps: <cpu id='3' bad='x' neg='-1'> has no missing attribute"):
        int_attr(element, "missing", "caps")
    with pytest.raises(LibvirtXmlError, match="'x' is not a whole number"):
        int_attr(element, "bad", "caps")
    with pytest.raises(LibvirtXmlError, match="-1 is below 0"):
        int_attr(element, "neg", "caps")
    with pytest.raises(LibvirtXmlError, match="is empty"):
        int_text(ET.fromstring("<vcpu/>"), "domain 'a'")


def test_element_bytes():
    assert element_bytes(ET.fromstring("<memory unit='MiB'>2</memory>"), "d", "KiB") == 2 * 1024**2
    assert element_bytes(ET.fromstring("<memory>2</memory>"), "d", "KiB") == 2048
    with pytest.raises(LibvirtXmlError, match=r"^domain 'web-1': <memory unit='XB'> is not a known unit"):
        element_bytes(ET.fromstring("<memory unit='XB'>2</memory>"), "domain 'web-1'", "KiB")
    with pytest.raises(LibvirtXmlError, match=r"d: <memory> is empty"):
        element_bytes(ET.fromstring("<memory/>"), "d", "KiB")


@pytest.mark.parametrize(
    "text, ids",
    [
        ("0-1,4", [0, 1, 4]),
        ("0", [0]),
        ("0-3,^2", [0, 1, 3]),
        ("8-9, 24-25", [8, 9, 24, 25]),
        ("1,1,0", [0, 1]),
        ("", []),
        (None, []),
    ],
)
def test_expand_cpuset(text, ids):
    assert expand_cpuset(text, "caps") == ids


@pytest.mark.parametrize(
    "text, message",
    [
        ("0-a", "'0-a', which is not an id"),
        ("3-1", "reversed range '3-1'"),
        ("0,,1", "'', which is not an id"),
        ("0-99999999", "ids go up to 65535"),
        ("-1", "not an id"),
    ],
)
def test_expand_cpuset_errors(text, message):
    with pytest.raises(LibvirtXmlError) as err:
        expand_cpuset(text, "domain 'a': <vcpupin vcpu='0'>")
    assert str(err.value).startswith("domain 'a': <vcpupin vcpu='0'>: cpuset")
    assert message in str(err.value)


def test_pci_addresses():
    assert pci_address("0", "2", "16", "1", "x") == "0000:02:10.1"
    assert pci_address("0x0000", "0x5e", "0x00", "0x7", "x") == "0000:5e:00.7"
    address = ET.fromstring("<address domain='0x0000' bus='0x02' slot='0x10' function='0x2'/>")
    assert pci_address_of(address, "x") == "0000:02:10.2"
    with pytest.raises(LibvirtXmlError, match="PCI address has no bus"):
        pci_address_of(ET.fromstring("<address slot='0x1' function='0x0'/>"), "x")
    with pytest.raises(LibvirtXmlError, match="x: PCI slot: 'zz' is not a number"):
        pci_address("0", "0", "zz", "0", "x")
