# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError, child, item, show


def test_message_names_option_value_and_reason():
    error = SpecError("requests[2].disks[0].size", "12X", "is not a size; use a number")
    assert str(error) == "requests[2].disks[0].size: '12X' is not a size; use a number"
    assert (error.option, error.value, error.reason) == (
        "requests[2].disks[0].size",
        "12X",
        "is not a size; use a number",
    )


def test_is_a_value_error():
    with pytest.raises(ValueError):
        raise SpecError("x", 1, "is wrong")


def test_missing_value_reads_without_a_value():
    assert str(SpecError("requests[0].name", MISSING, "is required")) == "requests[0].name is required"


def test_long_values_are_cut():
    text = show("x" * 1000)
    assert len(text) == 160
    assert text.endswith("...")


def test_paths():
    assert child("requests[0]", "disks") == "requests[0].disks"
    assert child("", "disks") == "disks"
    assert item("disks", 3) == "disks[3]"
