# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt's scaled integers read with libvirt's own unit rules."""

from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.units import (
    bytes_to_mib,
    to_bytes,
    unit_factor,
)


@pytest.mark.parametrize(
    "unit, factor",
    [
        ("b", 1),
        ("bytes", 1),
        ("byte", 1),
        ("KB", 1000),
        ("k", 1024),
        ("K", 1024),
        ("KiB", 1024),
        ("kib", 1024),
        ("MB", 1000**2),
        ("M", 1024**2),
        ("MiB", 1024**2),
        ("GB", 1000**3),
        ("G", 1024**3),
        ("GiB", 1024**3),
        ("TB", 1000**4),
        ("T", 1024**4),
        ("TiB", 1024**4),
        ("PB", 1000**5),
        ("P", 1024**5),
        ("PiB", 1024**5),
        ("EB", 1000**6),
        ("E", 1024**6),
        ("EiB", 1024**6),
    ],
)
def test_every_libvirt_unit(unit, factor):
    assert unit_factor(unit) == factor
    assert to_bytes("3", unit) == 3 * factor


@pytest.mark.parametrize("unit", ["XB", "Ki", "KiBB", "kilobytes", "", "  ", "Z", "ZiB"])
def test_unknown_units(unit):
    assert unit_factor(unit) is None


def test_default_unit_applies_when_attribute_is_missing_or_empty():
    assert to_bytes("4194304", None, default="KiB") == 4 * 1024**3
    assert to_bytes("4194304", "", default="KiB") == 4 * 1024**3
    assert to_bytes("512", None) == 512


def test_unknown_unit_message_names_the_element():
    with pytest.raises(LibvirtXmlError) as err:
        to_bytes("4", "XB", what="domain 'web-1': <memory unit='XB'>")
    assert str(err.value).startswith("domain 'web-1': <memory unit='XB'> is not a known unit")
    assert "KiB" in str(err.value)


def test_unknown_unit_message_without_context():
    with pytest.raises(LibvirtXmlError, match=r"unit 'XB' is not a known unit"):
        to_bytes("4", "XB")


@pytest.mark.parametrize("value", ["-1", "1.5", "", "0x10", "²", "four"])
def test_value_must_be_a_whole_number(value):
    with pytest.raises(LibvirtXmlError, match="is not a whole number of KiB"):
        to_bytes(value, "KiB", what="pool 'x': <capacity unit='KiB'>")


def test_values_are_stripped_like_libvirt_text():
    assert to_bytes(" 2048\n", "KiB") == 2 * 1024**2


def test_bytes_to_mib_rounds_down_for_hosts_and_up_for_vms():
    assert bytes_to_mib(1024**2 + 1) == 1
    assert bytes_to_mib(1024**2 + 1, round_up=True) == 2
    assert bytes_to_mib(3 * 1024**2, round_up=True) == 3
    assert bytes_to_mib(0, round_up=True) == 0
