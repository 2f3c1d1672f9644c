# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.addresses import parse_ip, parse_mac, parse_subnet
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.interfaces import (
    INTERFACES_FORM,
    NIC_KEYS,
    OPTIONAL_NIC_KEYS,
    parse_interfaces,
)


def nic(name, **given):
    record = dict.fromkeys(NIC_KEYS)
    record.update(name=name, mode="bridge")
    record.update(given)
    return record


def test_maas_documented_interfaces_example():
    assert parse_interfaces("eth0:space=storage;eth1:subnet=10.0.0.0/24,mode=sriov") == [
        nic("eth0", space="storage"),
        nic("eth1", subnet="10.0.0.0/24", mode="sriov"),
    ]


def test_every_key_is_present():
    (only,) = parse_interfaces([{}])
    assert list(only) == list(NIC_KEYS)
    assert only == nic("eth0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("space=storage", [nic("eth0", space="storage")]),
        ("space=a;space=b", [nic("eth0", space="a"), nic("eth1", space="b")]),
        ("data:space=a;space=b", [nic("data", space="a"), nic("eth1", space="b")]),
        ("eth0:", [nic("eth0")]),
        ("eth0:ip=fe80::1", [nic("eth0", ip="fe80::1")]),
        ("ip=2001:db8::5,subnet=2001:db8::/64", [nic("eth0", ip="2001:db8::5", subnet="2001:db8::/64")]),
        ("mac=52:54:00:AB:CD:EF", [nic("eth0", mac="52:54:00:ab:cd:ef")]),
        ("eth0:mac=52:54:00:ab:cd:ef", [nic("eth0", mac="52:54:00:ab:cd:ef")]),
        ("subnet=10.0.0.7/24", [nic("eth0", subnet="10.0.0.0/24")]),
        ("mode=macvlan", [nic("eth0", mode="macvlan", macvlan_mode="bridge")]),
        ("mode=macvlan,macvlan_mode=vepa", [nic("eth0", mode="macvlan", macvlan_mode="vepa")]),
        ("mode=MACVLAN,macvlan_mode=Private", [nic("eth0", mode="macvlan", macvlan_mode="private")]),
        ("vlan=0", [nic("eth0", vlan=0)]),
        (" eth0 : vlan = 100 , network = default ", [nic("eth0", vlan=100, network="default")]),
        ("bridge=br0,vlan=4094", [nic("eth0", bridge="br0", vlan=4094)]),
        ("subnet=10.0.0.0/24,ip=10.0.0.5", [nic("eth0", subnet="10.0.0.0/24", ip="10.0.0.5")]),
    ],
)
def test_interfaces_strings(text, expected):
    assert parse_interfaces(text) == expected


def test_list_of_mappings():
    value = [
        {"name": "pxe", "network": "default"},
        {"mode": "sriov", "space": "storage", "vlan": "42", "name": None},
        {"mode": "macvlan", "macvlan_mode": "passthrough", "bridge": "eno1", "mac": "52-54-00-00-00-01"},
        {"subnet": "192.168.1.0/24", "ip": "192.168.1.20"},
    ]
    assert parse_interfaces(value) == [
        nic("pxe", network="default"),
        nic("eth1", mode="sriov", space="storage", vlan=42),
        nic("eth2", mode="macvlan", macvlan_mode="passthrough", bridge="eno1", mac="52:54:00:00:00:01"),
        nic("eth3", subnet="192.168.1.0/24", ip="192.168.1.20"),
    ]


def test_none_and_empty_list_mean_no_nic():
    assert parse_interfaces(None) == []
    assert parse_interfaces([]) == []


def error(value, option="interfaces"):
    with pytest.raises(SpecError) as info:
        parse_interfaces(value, option)
    return info.value


KEYS = "mode, network, bridge, space, subnet, vlan, ip, mac, macvlan_mode, ip_mode, not_space, not_subnet, not_vlan"
LIST_KEYS = ", ".join(NIC_KEYS + OPTIONAL_NIC_KEYS)


@pytest.mark.parametrize(
    ("value", "option", "bad", "reason"),
    [
        (5, "interfaces", 5, "is not a list of interfaces; use a list of mappings or " + INTERFACES_FORM),
        ({"name": "x"}, "interfaces", {"name": "x"}, "is not a list of interfaces"),
        (["eth0"], "interfaces[0]", "eth0", "is not an interface; use a mapping with the keys " + LIST_KEYS),
        (
            [{"spcae": "x"}],
            "interfaces[0]",
            "spcae",
            "is not a known key; allowed: " + LIST_KEYS + " (did you mean 'space'?)",
        ),
        ("eth0:spcae=x", "interfaces[0]", "spcae", f"is not a known key; allowed: {KEYS} (did you mean 'space'?)"),
        ("eth0:name=x", "interfaces[0].name", "x", "picked the host interface by a MAAS interface name"),
        ("br0", "interfaces[0]", "br0", "is not an interface; expected " + INTERFACES_FORM),
        (
            "eth0:space",
            "interfaces[0]",
            "eth0:space",
            "has 'space', which is not key=value; expected " + INTERFACES_FORM,
        ),
        ("eth0:=x", "interfaces[0]", "eth0:=x", "has '=x', which is not key=value; expected " + INTERFACES_FORM),
        ("space=a,,vlan=1", "interfaces[0]", "space=a,,vlan=1", "has '', which is not key=value"),
        ("space=a;;space=b", "interfaces[1]", "", "is an empty entry (a stray ';'?); expected " + INTERFACES_FORM),
        ("space=a;", "interfaces[1]", "", "is an empty entry (a stray ';'?)"),
        (
            "mode=sriov,mode=macvlan",
            "interfaces[0].mode",
            "macvlan",
            "is the second mode= in 'mode=sriov,mode=macvlan'",
        ),
        (":space=a", "interfaces[0].name", "", "is empty; give an interface name or leave the option out"),
        ("space=", "interfaces[0].space", "", "is empty; give a space name or leave the option out"),
        ("mode=vlan", "interfaces[0].mode", "vlan", "is neither an attachment kind here (bridge, macvlan, sriov)"),
        ([{"mode": None}], None, None, None),
        (
            "macvlan_mode=vepa",
            "interfaces[0].macvlan_mode",
            "vepa",
            "only applies to mode macvlan (this NIC's mode is 'bridge'); set mode: macvlan or drop macvlan_mode",
        ),
        (
            "mode=sriov,macvlan_mode=vepa",
            "interfaces[0].macvlan_mode",
            "vepa",
            "only applies to mode macvlan (this NIC's mode is 'sriov')",
        ),
        (
            "mode=macvlan,macvlan_mode=vpa",
            "interfaces[0].macvlan_mode",
            "vpa",
            "is not allowed; use one of bridge, vepa, private, passthrough",
        ),
        ("vlan=4095", "interfaces[0].vlan", "4095", "is out of range; use a whole number from 0 to 4094"),
        ("vlan=-1", "interfaces[0].vlan", "-1", "is out of range; use a whole number from 0 to 4094"),
        ("vlan=ten", "interfaces[0].vlan", "ten", "names a VLAN the MAAS way (by name, id or fabric)"),
        ([{"vlan": True}], "interfaces[0].vlan", True, "is not a whole number"),
        (
            "network=default,bridge=br0",
            "interfaces[0].bridge",
            "br0",
            "cannot be given together with network 'default'; "
            "a NIC attaches to a managed network or to a host bridge, not both",
        ),
        (
            "bridge=averyveryverylongbridge",
            "interfaces[0].bridge",
            "averyveryverylongbridge",
            "is not a valid bridge name",
        ),
        (
            "subnet=10.0.0.0",
            "interfaces[0].subnet",
            "10.0.0.0",
            "is not a subnet; use CIDR notation such as 10.0.0.0/24 or 2001:db8::/64",
        ),
        ("subnet=10.0.0.0/33", "interfaces[0].subnet", "10.0.0.0/33", "is not a subnet; use CIDR notation"),
        ("subnet=storage/24", "interfaces[0].subnet", "storage/24", "is not a subnet"),
        ([{"subnet": 10}], "interfaces[0].subnet", 10, "is not a subnet"),
        ("ip=10.0.0.300", "interfaces[0].ip", "10.0.0.300", "is not an IP address; use e.g. 10.0.0.5 or 2001:db8::5"),
        ([{"ip": 167772165}], "interfaces[0].ip", 167772165, "is not an IP address"),
        (
            "ip=10.0.0.5/24",
            "interfaces[0].ip",
            "10.0.0.5/24",
            "has a prefix; give the address alone (e.g. 10.0.0.5) and the network as subnet",
        ),
        (
            "subnet=10.0.0.0/24,ip=10.0.1.5",
            "interfaces[0].ip",
            "10.0.1.5",
            "is not in subnet 10.0.0.0/24; use an address inside it",
        ),
        ("subnet=10.0.0.0/24,ip=2001:db8::5", "interfaces[0].ip", "2001:db8::5", "is not in subnet 10.0.0.0/24"),
        (
            "ip=10.0.0.0,subnet=10.0.0.0/24",
            "interfaces[0].ip",
            "10.0.0.0",
            "is the network or broadcast address of 10.0.0.0/24; use a host address",
        ),
        ("ip=10.0.0.255,subnet=10.0.0.0/24", "interfaces[0].ip", "10.0.0.255", "is the network or broadcast address"),
        (
            "mac=01:00:5e:00:00:01",
            "interfaces[0].mac",
            "01:00:5e:00:00:01",
            "is a multicast address; a NIC needs a unicast MAC (even first byte)",
        ),
        ("mac=ff:ff:ff:ff:ff:ff", "interfaces[0].mac", "ff:ff:ff:ff:ff:ff", "is a multicast address"),
        ("mac=00:00:00:00:00:00", "interfaces[0].mac", "00:00:00:00:00:00", "is the null address"),
        (
            "mac=52:54:00:ab:cd",
            "interfaces[0].mac",
            "52:54:00:ab:cd",
            "is not a MAC address; use six hex bytes such as 52:54:00:12:34:56",
        ),
        ("mac=52:54-00:ab:cd:ef", "interfaces[0].mac", "52:54-00:ab:cd:ef", "is not a MAC address"),
        ("mac=52:54:00:ab:cd:eg", "interfaces[0].mac", "52:54:00:ab:cd:eg", "is not a MAC address"),
        (
            "a:space=x;a:space=y",
            "interfaces[1].name",
            "a",
            "is used twice (also interfaces[0]); each NIC needs its own name",
        ),
        (
            "space=x;eth0:space=y",
            "interfaces[1].name",
            "eth0",
            "is used twice (also interfaces[0]); each NIC needs its own name",
        ),
        (
            "mac=52:54:00:00:00:01;mac=52-54-00-00-00-01",
            "interfaces[1].mac",
            "52:54:00:00:00:01",
            "is used twice (also interfaces[0]); each NIC needs its own MAC address",
        ),
        (
            "ip=10.0.0.5;ip=10.0.0.5",
            "interfaces[1].ip",
            "10.0.0.5",
            "is used twice (also interfaces[0]); each NIC needs its own IP address",
        ),
        ("ip=2001:db8::5;ip=2001:DB8:0::5", "interfaces[1].ip", "2001:db8::5", "is used twice (also interfaces[0])"),
    ],
)
def test_refused(value, option, bad, reason):
    if option is None:  # a None value is an unset Ansible suboption, not an error
        assert parse_interfaces(value) == [nic("eth0")]
        return
    found = error(value)
    assert found.option == option
    assert found.value == bad
    assert str(found).startswith(f"{option}: {bad!r} {reason}")


def test_option_path_is_the_callers():
    assert error("vlan=x", "requests[2].interfaces").option == "requests[2].interfaces[0].vlan"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("52:54:00:AB:CD:EF", "52:54:00:ab:cd:ef"),
        ("52-54-00-ab-cd-ef", "52:54:00:ab:cd:ef"),
        ("525400abcdef", "52:54:00:ab:cd:ef"),
        (" 02:00:00:00:00:01 ", "02:00:00:00:00:01"),
    ],
)
def test_mac_forms(value, expected):
    assert parse_mac(value, "mac") == expected


def test_mac_refuses_non_text():
    with pytest.raises(SpecError, match=r"^mac: 5 is not a MAC address"):
        parse_mac(5, "mac")


def test_subnet_and_ip_normalized():
    assert parse_subnet(" 2001:DB8::1/64 ", "s") == "2001:db8::/64"
    assert parse_ip("2001:DB8::0005", "ip") == "2001:db8::5"
    # /31 and /32 have no network or broadcast address to avoid
    assert parse_ip("10.0.0.0", "ip", "10.0.0.0/31") == "10.0.0.0"
    assert parse_ip("10.0.0.1", "ip", "10.0.0.1/32") == "10.0.0.1"
    assert parse_ip("2001:db8::", "ip", "2001:db8::/64") == "2001:db8::"
