# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Juju's constraint grammar (spec/constraints.py): words, keys, values, rounding, and every refusal."""

from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.constraints import (
    REFUSED,
    parse_constraints,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError


def refused(text: str) -> SpecError:
    with pytest.raises(SpecError) as caught:
        parse_constraints(text, "requests[0].constraints")
    assert caught.value.option == "requests[0].constraints"
    return caught.value


def test_the_issue_example():
    assert parse_constraints("cores=4 mem=8G root-disk=20G zones=az1 tags=ssd spaces=db,^dmz") == {
        "cores": 4,
        "mem": 8192,
        "root-disk": 20480,
        "zones": (["az1"], []),
        "tags": (["ssd"], []),
        "spaces": (["db"], ["dmz"]),
    }


def test_empty_and_blank_strings_ask_nothing():
    assert parse_constraints("") == {}
    assert parse_constraints("   ") == {}


def test_words_are_separated_by_any_run_of_spaces():
    assert parse_constraints("  cores=2    mem=1G\t") == {"cores": 2, "mem": 1024}


def test_cpu_cores_is_another_name_of_cores():
    assert parse_constraints("cpu-cores=3") == {"cores": 3}


@pytest.mark.parametrize(
    ("text", "mib"),
    [
        ("mem=512", 512),
        ("mem=512M", 512),
        ("mem=2G", 2048),
        ("mem=1T", 1024**2),
        ("mem=1P", 1024**3),
        ("mem=1.5G", 1536),
        ("mem=0.1", 1),  # fractions round up, as Juju's math.Ceil
        ("mem=1.0001G", 1025),
        ("mem=.5G", 512),
        ("mem=3.", 3),
    ],
)
def test_sizes_are_mib_with_suffixes_rounded_up(text, mib):
    assert parse_constraints(text) == {"mem": mib}


def test_root_disk_uses_the_same_sizes():
    assert parse_constraints("root-disk=20.1G") == {"root-disk": 20583}


@pytest.mark.parametrize("text", ["cores=", "cores=0", "mem=", "mem=0", "root-disk=", "virt-type=", "container="])
def test_no_value_or_zero_is_no_constraint(text):
    assert parse_constraints(text) == {text.split("=")[0]: None}


@pytest.mark.parametrize("key", ["tags", "spaces", "zones"])
def test_an_empty_list_is_the_explicit_empty_list(key):
    assert parse_constraints(f"{key}=") == {key: ([], [])}


def test_lists_split_wanted_from_excluded_and_drop_repeats():
    assert parse_constraints("tags=a,^b,a,^b,c") == {"tags": (["a", "c"], ["b"])}


def test_zones_take_negation_too():
    assert parse_constraints("zones=^az3") == {"zones": ([], ["az3"])}


def test_escaped_space_stays_in_its_word():
    # Juju writes a space inside a value as "\ "; it is one word (and then a bad tag, since tags have no spaces)
    error = refused(r"tags=a\ b cores=2")
    assert "bad tag 'a b'" in error.reason


def test_virt_type_values():
    assert parse_constraints("virt-type=container") == {"virt-type": "container"}
    assert parse_constraints("virt-type=virtual-machine") == {"virt-type": "virtual-machine"}
    assert "bad virt-type 'kvm'" in refused("virt-type=kvm").reason


def test_root_disk_source_is_a_pool_name():
    assert parse_constraints("root-disk-source=nvme") == {"root-disk-source": "nvme"}
    assert "bad root-disk-source" in refused("root-disk-source=a,b").reason


def test_container_none_is_what_every_vm_is():
    assert parse_constraints("container=none") == {"container": None}


@pytest.mark.parametrize("kind", ["lxd", "kvm"])
def test_container_inside_a_machine_is_refused(kind):
    error = refused(f"container={kind}")
    assert error.value == f"container={kind}"
    assert "virt-type=container" in error.reason


def test_unknown_container_type():
    assert "container types are none, lxd, kvm" in refused("container=docker").reason


@pytest.mark.parametrize("key", sorted(REFUSED))
def test_each_cloud_key_is_refused_with_its_reason(key):
    error = refused(f"{key}=x")
    assert error.value == f"{key}=x"
    assert error.reason == f"is not supported: {key} {REFUSED[key]}"


@pytest.mark.parametrize("key", sorted(REFUSED))
def test_cloud_keys_with_no_value_ask_nothing_as_juju_reads_them(key):
    assert parse_constraints(f"{key}=") == {key: None}


def test_a_cloud_key_with_no_value_still_counts_once():
    assert "repeats the key 'arch'" in refused("arch= arch=amd64").reason


def test_unknown_key_is_named_with_the_known_ones():
    error = refused("cores=2 memory=4G")
    assert error.value == "memory=4G"
    assert "unknown key 'memory'" in error.reason
    assert "cpu-cores" in error.reason and "root-disk" in error.reason


def test_keys_are_case_sensitive_as_in_juju():
    assert "unknown key 'Cores'" in refused("Cores=2").reason


def test_repeated_key():
    error = refused("cores=2 mem=1G cores=4")
    assert error.value == "cores=4"
    assert "repeats the key 'cores'" in error.reason


def test_repeated_key_through_its_alias():
    error = refused("cores=2 cpu-cores=4")
    assert error.value == "cpu-cores=4"
    assert "repeats the key 'cores' (as 'cores')" in error.reason


@pytest.mark.parametrize("word", ["cores", "=4", "cores:4"])
def test_a_word_without_key_and_equals_is_malformed(word):
    error = refused(f"mem=1G {word}")
    assert error.value == word
    assert "each constraint is key=value" in error.reason


@pytest.mark.parametrize("value", ["-1", "two", "2.5", "+2", "0x4"])
def test_bad_cores(value):
    error = refused(f"cores={value}")
    assert f"bad cores: {value!r} is not a whole number" in error.reason


def test_too_many_cores():
    assert "more cores than a VM can have" in refused("cores=100000000").reason


@pytest.mark.parametrize("value", ["4g", "4GB", "4GiB", "4K", "abc", "1e3", "G", "nan", "inf"])
def test_bad_sizes_follow_juju_suffixes(value):
    error = refused(f"mem={value}")
    assert f"bad mem: {value!r} is not a size" in error.reason
    assert "M, G, T or P" in error.reason


def test_negative_size():
    assert "'-1G' is negative" in refused("root-disk=-1G").reason


def test_huge_memory():
    assert "more than any machine has" in refused("mem=100000P").reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tags=a,,b", "empty entry '' in tags"),
        ("tags=^", "empty entry '^' in tags"),
        ("tags=a b", "is not a constraint"),  # a space ends the word: 'b' is a word of its own
        ("tags=x/y", "bad tag 'x/y'"),
        ("spaces=DMZ", "bad space 'DMZ'"),
        ("spaces=a--b", "bad space 'a--b'"),
        ("zones=^^az1", "bad zone '^az1'"),
        ("tags=a,^a", "both asks for and excludes tag 'a'"),
        ("spaces=db,^db", "both asks for and excludes space 'db'"),
    ],
)
def test_bad_lists(text, reason):
    assert reason in refused(text).reason


def test_not_a_string():
    with pytest.raises(SpecError) as caught:
        parse_constraints({"cores": 4}, "constraints")
    assert caught.value.option == "constraints"
    assert "is not a constraint string" in caught.value.reason
