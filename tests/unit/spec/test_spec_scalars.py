# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.mappings import require_mapping
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.names import (
    parse_device_name,
    parse_host_interface_name,
    parse_vm_name,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.scalars import (
    parse_bool,
    parse_choice,
    parse_int,
    parse_optional_text,
    parse_text,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.tags import parse_tags


@pytest.mark.parametrize("value", [True, 1, "yes", "YES", "on", "true", "True", "1", "y", "t", " yes "])
def test_bool_true(value):
    assert parse_bool(value, "b") is True


@pytest.mark.parametrize("value", [False, 0, "no", "off", "false", "FALSE", "0", "n", "f"])
def test_bool_false(value):
    assert parse_bool(value, "b") is False


@pytest.mark.parametrize("value", ["maybe", "", 2, None, 1.0, []])
def test_bool_refused(value):
    with pytest.raises(SpecError) as info:
        parse_bool(value, "numa_strict")
    assert str(info.value).startswith(f"numa_strict: {value!r} is not a boolean; use true or false")


@pytest.mark.parametrize(("value", "expected"), [(4, 4), ("4", 4), (" 12 ", 12), (4.0, 4), ("+3", 3), ("-2", -2)])
def test_int_accepted(value, expected):
    assert parse_int(value, "n") == expected


@pytest.mark.parametrize("value", [True, "four", "4.5", 4.5, float("nan"), float("inf"), None, "", "4 cores", "٣"])
def test_int_refused(value):
    with pytest.raises(SpecError) as info:
        parse_int(value, "cores", 1)
    assert "is not a whole number; use a whole number of at least 1" in str(info.value)
    assert str(info.value).startswith("cores: ")


@pytest.mark.parametrize(
    ("minimum", "maximum", "value", "words"),
    [
        (1, None, 0, "use a whole number of at least 1"),
        (0, 4094, 4095, "use a whole number from 0 to 4094"),
        (None, 10, 11, "use a whole number of at most 10"),
    ],
)
def test_int_range(minimum, maximum, value, words):
    with pytest.raises(SpecError) as info:
        parse_int(value, "n", minimum, maximum)
    assert str(info.value) == f"n: {value} is out of range; {words}"


def test_int_without_bounds_says_so():
    with pytest.raises(SpecError, match="n: 'x' is not a whole number; use a whole number$"):
        parse_int("x", "n")


def test_text():
    assert parse_text("  fast ", "pool") == "fast"
    assert parse_optional_text(None, "pool") is None
    assert parse_optional_text("a", "pool") == "a"


@pytest.mark.parametrize(("value", "reason"), [("", "is empty"), ("  ", "is empty"), (3, "is not a string")])
def test_text_refused(value, reason):
    with pytest.raises(SpecError) as info:
        parse_text(value, "zone", "a zone name")
    assert str(info.value).startswith(f"zone: {value!r} {reason}")
    assert "a zone name" in str(info.value)


def test_choice():
    assert parse_choice(" SRIOV ", "mode", ("bridge", "sriov")) == "sriov"
    with pytest.raises(SpecError, match=r"^mode: 'vlan' is not allowed; use one of bridge, sriov$"):
        parse_choice("vlan", "mode", ("bridge", "sriov"))
    with pytest.raises(SpecError, match="mode: 1 is not allowed"):
        parse_choice(1, "mode", ("bridge",))


def test_mapping_drops_none_values_as_ansible_sends_them():
    assert require_mapping({"a": 1, "b": None}, "x", ("a", "b"), "a thing") == {"a": 1}


def test_mapping_refuses_other_types():
    with pytest.raises(SpecError) as info:
        require_mapping(["a"], "requests[1]", ("a", "b"), "a VM request")
    assert str(info.value) == "requests[1]: ['a'] is not a VM request; use a mapping with the keys a, b"


def test_mapping_names_unknown_key_and_suggests():
    with pytest.raises(SpecError) as info:
        require_mapping({"nmae": "x"}, "requests[0]", ("name", "cores"), "a VM request")
    assert str(info.value) == "requests[0]: 'nmae' is not a known key; allowed: name, cores (did you mean 'name'?)"
    assert info.value.value == "nmae"


def test_mapping_names_all_unknown_keys():
    with pytest.raises(SpecError) as info:
        require_mapping({"nmae": 1, "zzz": 2, "coers": 3}, "r", ("name", "cores"), "a request")
    message = str(info.value)
    assert message.startswith("r: ['nmae', 'zzz', 'coers'] are not known keys; allowed: name, cores")
    assert "'name' for 'nmae'" in message and "'cores' for 'coers'" in message


@pytest.mark.parametrize("name", ["web", "web-1", "a", "Web01", "1web", "x" * 63])
def test_vm_name(name):
    assert parse_vm_name(name, "name") == name


@pytest.mark.parametrize("name", ["-web", "web-", "web_1", "web.example", "x" * 64, "123", "wéb"])
def test_vm_name_refused(name):
    with pytest.raises(SpecError) as info:
        parse_vm_name(name, "requests[0].name")
    assert str(info.value).startswith(f"requests[0].name: {name!r} is not a valid VM name; use letters, digits")


@pytest.mark.parametrize("name", ["root", "data_1", "disk.2", "eth0", "9"])
def test_device_name(name):
    assert parse_device_name(name, "n", "disk") == name


@pytest.mark.parametrize("name", ["-x", "a b", "a/b", "x" * 64, "a:b"])
def test_device_name_refused(name):
    with pytest.raises(SpecError, match="is not a valid disk name; use letters, digits"):
        parse_device_name(name, "disks[0].name", "disk")


def test_host_interface_name():
    assert parse_host_interface_name("br-storage.100", "b", "bridge") == "br-storage.100"
    for bad in ("a" * 16, "br/0", "br 0", ".", ".."):
        with pytest.raises(SpecError, match="is not a valid bridge name; a Linux interface name is 1 to 15 bytes"):
            parse_host_interface_name(bad, "b", "bridge")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("", []),
        ("ssd", ["ssd"]),
        ("ssd, fast ,nvme", ["ssd", "fast", "nvme"]),
        ("ssd,,fast,", ["ssd", "fast"]),
        (["ssd", " fast "], ["ssd", "fast"]),
        (("a", "b", "a"), ["a", "b"]),
        (["rack:r1", "gpu.a100", "x_y-z"], ["rack:r1", "gpu.a100", "x_y-z"]),
    ],
)
def test_tags(value, expected):
    assert parse_tags(value, "tags") == expected


@pytest.mark.parametrize(
    ("value", "option"),
    [
        (["ok", ""], "tags[1]"),
        (["ok", 3], "tags[1]"),
        (["two words"], "tags[0]"),
        ("ok,(x)", "tags[1]"),
        (["a,b"], "tags[0]"),
        ("-x", "tags[0]"),
    ],
)
def test_tags_refused(value, option):
    with pytest.raises(SpecError) as info:
        parse_tags(value, "tags")
    assert info.value.option == option
    assert "is not a tag; a tag is letters, digits" in str(info.value)


def test_tags_refuse_other_types():
    with pytest.raises(SpecError, match=r"^host_tags: 5 is not a list of tags; use a list of strings or a comma"):
        parse_tags(5, "host_tags")
