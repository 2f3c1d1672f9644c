# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""MAAS's storage and interfaces strings, with the inputs of MAAS's own tests, mean here what they meant there.

The inputs come from MAAS's tests of its parsers (canonical/maas at 0d716782d579, the last commit with VM hosts):
provisioningserver/utils/tests/test_constraints.py, .../test_network.py (TestGetIfnameForLabel),
maasserver/tests/test_node_constraint_filter_forms.py and maasserver/forms/tests/test_pods.py. Where this
collection deliberately reads a string otherwise, the string is refused and the test checks the reason.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.cloud_init.config import seed_files
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.disks import parse_disks
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.interfaces import parse_interfaces
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.maas_interfaces import ifname_for_label
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import DEFAULT_ROOT_DISK_SIZE, parse_request

GB = 1000**3


def refused(parse, value):
    with pytest.raises(SpecError) as info:
        parse(value)
    return info.value


def one(text):
    (nic,) = parse_interfaces(text)
    return nic


# ---- labels (test_constraints.TestValidateLabelName, test_network.TestGetIfnameForLabel) --------------------------


@pytest.mark.parametrize("label", ["a", "A", "a-", "a-b", "a_b"])
def test_maas_good_labels_name_the_nic(label):
    assert one(f"{label}:space=db")["name"] == label


@pytest.mark.parametrize("label", ["_", "-", "-a", "*", "%"])
def test_maas_bad_labels_are_refused(label):
    err = refused(parse_interfaces, f"{label}:space=db")
    assert err.option == "interfaces[0].name" and "is not a valid label" in str(err)


@pytest.mark.parametrize(
    ("label", "ifname"),
    [
        ("0", "eth0"),
        ("0000000000000000000000000000000000000000000000000000200", "eth200"),
        ("eth0", "eth0"),
        ("eth012345678901", "eth012345678901"),
        ("eth0123456789012", "eth-ff5c2-89012"),
        ("1000000000000000000000000000000000000000000000000000001", "eth-8d3de-00001"),
    ],
)
def test_labels_become_the_interface_names_maas_gave(label, ifname):
    assert ifname_for_label(label) == ifname
    assert one(f"{label}:space=db")["name"] == ifname


def test_numeric_label_as_juju_passes_it():
    # test_pods: "0:subnet=<cidr>" composes a NIC named eth0
    assert one("0:subnet=10.0.0.0/24")["name"] == "eth0"


def test_a_numeric_label_that_collides_with_a_name_is_refused():
    err = refused(parse_interfaces, "0:space=a;eth0:space=b")
    assert err.option == "interfaces[1].name" and "is used twice" in str(err)


def test_list_names_longer_than_a_linux_interface_name_are_refused():
    err = refused(parse_interfaces, [{"name": "eth0123456789012"}])
    assert err.option == "interfaces[0].name"
    assert "is longer than a Linux interface name (15 bytes)" in str(err)
    assert one([{"name": "eth012345678901"}])["name"] == "eth012345678901"


# ---- the constraint map (test_constraints.TestGetLabeledConstraintsMap) ---------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a:bc", "has 'bc', which is not key=value"),
        ("a:b=c;a:d=e", "is not a known key"),  # b is no interfaces key in MAAS either
        ("a:space=c;a:space=e", "is used twice"),  # a label defined twice
        ("*:space=c", "is not a valid label"),
    ],
)
def test_malformed_maps_are_refused(text, reason):
    assert reason in str(refused(parse_interfaces, text))


def test_label_without_constraints_is_one_unconstrained_nic():
    # MAAS refused "a:"; here it is the NIC on the host's default interface (a string MAAS never accepted)
    assert one("a:")["name"] == "a" and one("a:")["space"] is None


def test_repeated_key_is_any_of():
    # "a:a=abc,a=def,a=ghi" is a list of three in MAAS, and MAAS ORs a list
    assert one("a:space=abc,space=def,space=ghi")["space"] == ["abc", "def", "ghi"]
    assert one("any:vid=1,vid=2")["vlan"] == [1, 2]
    assert one("a:subnet=10.0.0.0/24,subnet=10.0.1.0/24")["subnet"] == ["10.0.0.0/24", "10.0.1.0/24"]
    assert one("a:space=abc,space=abc")["space"] == "abc"


def test_multiple_labels_and_values():
    # "foo:a=b,c=d;bar:e=f,g=h" with interfaces keys; "eth0:space=1;eth1:space=2" (TestLabeledConstraintMap)
    nics = parse_interfaces("foo:space=b,subnet=10.0.0.0/24;bar:vlan=7,space=h")
    assert [(n["name"], n["space"], n["subnet"], n["vlan"]) for n in nics] == [
        ("foo", "b", "10.0.0.0/24", None),
        ("bar", "h", None, 7),
    ]
    assert [n["space"] for n in parse_interfaces("eth0:space=1;eth1:space=2")] == ["1", "2"]


def test_repeated_ip_is_refused_with_maas_reading():
    err = refused(parse_interfaces, "eth0:ip=10.0.0.5,ip=10.0.0.6")
    assert err.option == "interfaces[0].ip" and "MAAS gave the NIC every address listed" in str(err)


def test_ip_must_be_in_one_of_the_alternative_subnets():
    nic = one("eth0:subnet=10.0.0.0/24,subnet=10.0.1.0/24,ip=10.0.1.5")
    assert nic["ip"] == "10.0.1.5"
    assert "is in none of the subnets" in str(
        refused(parse_interfaces, "eth0:subnet=10.0.0.0/24,ip=10.0.9.5,subnet=10.0.1.0/24")
    )


# ---- interfaces keys (test_node_constraint_filter_forms, NETWORKING_CONSTRAINT_NAMES) ----------------------------


@pytest.mark.parametrize(
    ("text", "option", "reason"),
    [
        ("label:x", "interfaces[0]", "which is not key=value"),
        ("label:chirp_chirp_thing=silenced", "interfaces[0]", "is not a known key"),
        ("label:fabric=fabric-0", "interfaces[0].fabric", "selects a MAAS fabric; hosts here have no fabrics"),
        (
            "label:fabric=fabric-0,fabric=fabric-1,space=default;label2:fabric=fabric-3,fabric=fabric-4,space=foo",
            "interfaces[0].fabric",
            "hosts here have no fabrics",
        ),
        ("label:fabric_class=10g", "interfaces[0].fabric_class", "selects a MAAS fabric class"),
        ("fabric:fabric_class=1g;vlan:vid=1", "interfaces[0].fabric_class", "selects a MAAS fabric class"),
        ("none:fabric_class=1g,vid=2", "interfaces[0].fabric_class", "selects a MAAS fabric class"),
        ("any:fabric_class=10g,fabric_class=1g,vid=1,vid=2", "interfaces[0].fabric_class", "fabric class"),
        ("eth0:not_fabric=f", "interfaces[0].not_fabric", "selects a MAAS fabric"),
        ("eth0:name=br0", "interfaces[0].name", "picked the host interface by a MAAS interface name"),
        ("eth0:not_name=br0", "interfaces[0].not_name", "picked the host interface by a MAAS interface name"),
        ("eth0:hostname=kvm-01", "interfaces[0].hostname", "by a MAAS node hostname"),
        ("eth0:id=7", "interfaces[0].id", "by a MAAS interface id"),
        ("eth0:type=bond", "interfaces[0].type", "by a MAAS interface type"),
        ("eth0:tag=sriov", "interfaces[0].tag", "by a MAAS interface tag"),
        ("eth0:link_speed=10000", "interfaces[0].link_speed", "by a MAAS link speed"),
        ("eth0:not_ip=10.0.0.5", "interfaces[0].not_ip", "excluded host interfaces holding an address"),
        ("eth0:vlan=storage-vlan", "interfaces[0].vlan", "names a VLAN the MAAS way"),
        ("eth0:vlan=id:12", "interfaces[0].vlan", "names a VLAN the MAAS way"),
        ("eth0:mode=static", "interfaces[0].mode", "is neither an attachment kind here"),
    ],
)
def test_maas_keys_without_a_meaning_here_are_refused(text, option, reason):
    err = refused(parse_interfaces, text)
    assert err.option == option
    assert reason in str(err)


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("vlan:vid=1", "vlan", 1),
        ("eth0:vid=untagged", "vlan", 0),
        ("eth0:vlan=untagged", "vlan", 0),
        ("eth0:vlan=vid:42", "vlan", 42),
        ("eth0:subnet_cidr=10.0.0.0/24", "subnet", "10.0.0.0/24"),
        ("eth0:not_space=dmz", "not_space", ["dmz"]),
        ("eth0:not_space=dmz,not_space=mgmt", "not_space", ["dmz", "mgmt"]),
        ("eth0:not_vid=3", "not_vlan", [3]),
        ("eth0:not_vlan=untagged", "not_vlan", [0]),
        ("eth0:not_subnet=10.9.0.0/16", "not_subnet", ["10.9.0.0/16"]),
        ("eth0:not_subnet_cidr=10.9.0.0/16", "not_subnet", ["10.9.0.0/16"]),
    ],
)
def test_maas_keys_that_mean_the_same_here(text, key, value):
    assert one(text)[key] == value


def test_mode_unconfigured_is_maass_ip_mode():
    # test_not_preconfig_interfaces_constraint_works_for_unconfigured: "eth0:ip=<ip>,mode=unconfigured"
    nic = one("eth0:ip=10.0.0.5,mode=unconfigured")
    assert (nic["ip_mode"], nic["ip"], nic["mode"]) == ("unconfigured", "10.0.0.5", "bridge")
    # MAAS stripped and lowercased it
    assert one("eth0:mode=Unconfigured")["ip_mode"] == "unconfigured"


def test_mode_attachment_kinds_are_this_collections():
    assert one("eth0:mode=sriov")["mode"] == "sriov"
    nic = one("eth0:mode=sriov,mode=unconfigured")
    assert (nic["mode"], nic["ip_mode"]) == ("sriov", "unconfigured")
    assert one([{"ip_mode": "unconfigured"}])["ip_mode"] == "unconfigured"


def test_new_keys_appear_only_when_given():
    # vm_compose compares a VM's stored request with the new one: NICs composed before must compare equal
    assert set(one("eth0:space=db")) == {
        "name",
        "mode",
        "network",
        "bridge",
        "space",
        "subnet",
        "vlan",
        "ip",
        "mac",
        "macvlan_mode",
    }


def test_unconfigured_nic_gets_no_address_from_cloud_init():
    nics = [
        {
            "name": "eth0",
            "mac": "52:54:00:00:00:01",
            "ip": "10.0.0.5",
            "subnet": "10.0.0.0/24",
            "ip_mode": "unconfigured",
        },
        {"name": "eth1", "mac": "52:54:00:00:00:02", "ip": None, "subnet": None},
    ]
    network = json.loads(seed_files("vm", None, nics)["network-config"])
    assert network["ethernets"]["eth0"] == {"match": {"macaddress": "52:54:00:00:00:01"}, "set-name": "eth0"}
    assert network["ethernets"]["eth1"]["dhcp4"] is True


def test_empty_interfaces_string_is_refused_with_both_readings():
    # test_get_machine_with_interfaces_with_empty_interfaces_input: MAAS composed one default NIC for ""
    for text in ("", "  "):
        err = refused(parse_interfaces, text)
        assert err.option == "interfaces"
        assert "MAAS gave a VM one NIC on the host's default interface" in str(err)
        assert "write 'eth0:'" in str(err)


# ---- storage (get_storage_constraints_from_string, storage_validator, the compose form) --------------------------


def sizes(text):
    return [disk["size"] for disk in parse_disks(text, "storage")]


def test_sizes_are_decimal_gigabytes():
    assert sizes("1.5,3,6.75") == [int(1.5 * GB), 3 * GB, int(6.75 * GB)]
    assert sizes("10(ssd),5,20") == [10 * GB, 5 * GB, 20 * GB]


def test_storage_strings_of_the_compose_form():
    # test_get_machine_uses_passed_values / test_get_machine_handles_no_tags_in_storage
    disks = parse_disks("root:12(tag-a,tag-b,tag-c),extra:9(tag-d,tag-e,tag-f)", "storage")
    assert [(d["name"], d["size"], d["tags"]) for d in disks] == [
        ("root", 12 * GB, ["tag-a", "tag-b", "tag-c"]),
        ("extra", 9 * GB, ["tag-d", "tag-e", "tag-f"]),
    ]
    assert [(d["name"], d["size"], d["tags"]) for d in parse_disks("root:8,extra:16", "storage")] == [
        ("root", 8 * GB, []),
        ("extra", 16 * GB, []),
    ]
    default = parse_disks("root:8(local)", "storage")[0]  # MAAS's default storage
    assert (default["size"], default["tags"], default["boot"]) == (8 * GB, ["local"], True)


def test_order_maas_kept_is_kept():
    disks = parse_disks("root:8(lvm),physical:5(rotary,5400rpm),other:20", "storage")
    assert [d["name"] for d in disks] == ["root", "physical", "other"]
    assert [d["tags"] for d in parse_disks("3(ssd),3(ssd)", "storage")] == [["ssd"], ["ssd"]]


def test_order_maas_would_have_changed_is_refused_with_maass_order():
    # test_get_storage_constraints_from_string_sorts_more_tags_first (sizes 1 for 0: a composed disk has a size)
    err = refused(lambda v: parse_disks(v, "storage"), "1(ssd),1(ssd,sata),1(ssd),1(ssd,sata,removable)")
    assert err.option == "storage"
    assert "'1(ssd),1(ssd,sata,removable),1(ssd,sata),1(ssd)'" in str(err)
    assert "use disks (a list) for any order" in str(err)
    # the list form keeps any order
    listed = [{"size": 1, "tags": ["ssd"]}, {"size": 1}, {"size": 1, "tags": ["a", "b"]}]
    assert [d["tags"] for d in parse_disks(listed)] == [["ssd"], [], ["a", "b"]]


@pytest.mark.parametrize("text", ["0", "0,0,0", "0(ssd)", "part:0(partition)", "0,4,4,4", "root:0.0", "root:0G"])
def test_size_zero_is_refused(text):
    # MAAS's filters read 0 as "any size" ("storage": "0" matches every machine); a composed disk needs a size
    err = refused(lambda v: parse_disks(v, "storage"), text)
    assert err.option.endswith(".size")
    assert "is zero" in str(err) and "MAAS's machine filters read 0 as a disk of any size" in str(err)


@pytest.mark.parametrize("text", ["10(ssd,20", "abc"])
def test_malformed_storage_is_refused(text):
    assert refused(lambda v: parse_disks(v, "storage"), text).option.startswith("storage")


def test_empty_storage_string_is_the_default_root_disk():
    # ComposeMachineForm used its initial storage (root:8) for an empty string, as for none
    for text in ("", "  "):
        disks = parse_request({"name": "vm", "storage": text})["disks"]
        assert [(d["name"], d["size"], d["boot"]) for d in disks] == [("root", DEFAULT_ROOT_DISK_SIZE, True)]
    assert DEFAULT_ROOT_DISK_SIZE == 8 * GB


def test_repeated_storage_labels_are_refused():
    err = refused(lambda v: parse_disks(v, "storage"), "data:8,data:10")
    assert "is used twice" in str(err) and "MAAS ignored storage labels" in str(err)


# ---- memory (ComposeMachineForm: IntegerField(min_value=1024)) ---------------------------------------------------


@pytest.mark.parametrize(("given", "mib"), [(1024, 1024), (2048, 2048), (512, 512), ("256M", 256)])
def test_memory_below_maass_minimum_is_accepted(given, mib):
    # MAAS refused < 1024 MiB for Ubuntu's sake; containers and small images need less, so no minimum here
    assert parse_request({"name": "vm", "memory": given})["memory"] == mib
