# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""interfaces[] entries from libvirt networks and host interfaces (XML captured from libvirt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.networks import (
    parse_host_interface,
    parse_network,
)

FIXTURES = Path(__file__).parent / "fixtures"
COMMON = {
    "numa_node": None,
    "sriov_max_vf": 0,
    "sriov_used_vf": 0,
    "spaces": [],
}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_default_nat_network_of_the_test_driver():
    assert parse_network(fixture("testdrv_network_default.xml"), True) == {
        "name": "default",
        "type": "network",
        "networks": ["default"],
        "forward_mode": "nat",
        "bridge": "virbr0",
        "dhcp": True,
        "dhcp_ranges": ["192.168.122.2-192.168.122.254"],
        "subnets": ["192.168.122.0/24"],
        "vlans": [],
        "active": True,
        "default": True,
        "forward_devices": [],
        **COMMON,
    }


def test_inactive_default_network_of_a_real_host():
    entry = parse_network(fixture("qemu_host_network_default.xml"), False)
    assert entry["active"] is False
    assert entry["default"] is True
    assert entry["subnets"] == ["192.168.122.0/24"]


def test_isolated_network_with_ipv6_dhcp_and_vlans():
    entry = parse_network(fixture("testdrv_network_isolated6.xml"), True)
    assert entry["forward_mode"] is None
    assert entry["bridge"] == "virbr9"
    assert entry["dhcp"] is True
    assert entry["dhcp_ranges"] == ["fd00:9::100-fd00:9::1ff"]
    assert entry["subnets"] == ["10.9.0.0/24", "fd00:9::/64"]
    # Network tags and the portgroup's.
    assert entry["vlans"] == [10, 20, 30]
    assert entry["default"] is False


def test_hostdev_network_names_its_physical_function():
    entry = parse_network(fixture("testdrv_network_sriov_pool.xml"), False)
    assert entry["forward_mode"] == "hostdev"
    assert entry["forward_devices"] == ["enp94s0f0"]
    assert entry["bridge"] is None
    assert entry["dhcp"] is False
    assert entry["subnets"] == []


def test_bridge_network_over_a_host_bridge():
    entry = parse_network(fixture("testdrv_network_host_bridge.xml"), True)
    assert (entry["forward_mode"], entry["bridge"]) == ("bridge", "br0")


def test_bare_forward_is_nat_and_addresses_without_prefix():
    xml = (
        "<network><name>n</name><forward/><ip address='10.1.2.3'/><ip address='172.16.5.1'/>"
        "<ip address='192.0.2.1'/><ip address='fd00::1' family='ipv6'/><ip/>"
        "<forward><interface dev='eth0'/></forward></network>"
    )
    entry = parse_network(xml, True)
    assert entry["forward_mode"] == "nat"
    assert entry["dhcp"] is False
    assert entry["subnets"] == ["10.0.0.0/8", "172.16.0.0/16", "192.0.2.0/24", "fd00::/64"]


def test_networks_pass_the_capacity_core():
    interfaces = [
        parse_network(fixture(name), True)
        for name in ("testdrv_network_default.xml", "testdrv_network_isolated6.xml", "testdrv_network_sriov_pool.xml")
    ]
    interfaces.append(parse_host_interface(fixture("testdrv_iface_br0.xml"), True))
    state = parse_host(
        {"name": "h", "numa": [{"node_id": 0, "cpus": 1, "memory": {"total": 1024}}], "interfaces": interfaces}
    )
    assert state is not None


def test_ethernet_interface_of_the_test_driver():
    assert parse_host_interface(fixture("testdrv_iface_eth1.xml"), True) == {
        "name": "eth1",
        "type": "physical",
        "networks": [],
        "forward_mode": None,
        "bridge": None,
        "dhcp": False,
        "dhcp_ranges": [],
        "subnets": ["192.168.0.0/24"],
        "vlans": [],
        "active": True,
        "default": False,
        "members": [],
        "mac": "aa:bb:cc:dd:ee:ff",
        **COMMON,
    }


def test_real_host_interfaces_without_addresses():
    entry = parse_host_interface(fixture("qemu_host_iface_eth0.xml"), True)
    assert (entry["name"], entry["type"], entry["subnets"], entry["mac"]) == (
        "eth0",
        "physical",
        [],
        "02:fc:00:00:00:01",
    )
    assert parse_host_interface(fixture("qemu_host_iface_lo.xml"), False)["active"] is False


def test_bridge_with_ports():
    entry = parse_host_interface(fixture("testdrv_iface_br0.xml"), True)
    assert entry["type"] == "bridge"
    assert entry["bridge"] == "br0"
    assert entry["members"] == ["eno1", "eno2.42"]
    assert entry["subnets"] == ["192.0.2.0/24", "2001:db8::/64"]
    assert entry["mac"] is None


def test_bond_is_a_dhcp_client_not_a_server():
    entry = parse_host_interface(fixture("testdrv_iface_bond0.xml"), False)
    assert (entry["type"], entry["members"], entry["dhcp"], entry["subnets"]) == ("bond", ["eno3", "eno4"], False, [])


def test_vlan_interface():
    entry = parse_host_interface(fixture("testdrv_iface_eno1_100.xml"), True)
    assert (entry["type"], entry["vlans"], entry["members"], entry["subnets"]) == (
        "vlan",
        [100],
        ["eno1"],
        ["198.51.100.0/25"],
    )


def test_other_interface_types_are_not_offered():
    assert parse_host_interface("<interface type='infiniband' name='ib0'/>", True) is None
    assert parse_host_interface("<interface name='x'/>", True) is None


@pytest.mark.parametrize(
    "xml, message",
    [
        ("<network/>", "network: <network> has no <name>"),
        ("<interface/>", "network: root element is <interface>, expected <network>"),
        (
            "<network><name>n</name><ip address='10.0.0.1' prefix='x'/></network>",
            "network 'n': <ip address='10.0.0.1'> prefix",
        ),
        (
            "<network><name>n</name><ip address='10.0.0.1' prefix='33'/></network>",
            "<ip address='10.0.0.1'> is not a usable address",
        ),
        ("<network><name>n</name><ip address='10.0.0.300' netmask='255.0.0.0'/></network>", "not a usable address"),
        (
            "<network><name>n</name><vlan><tag id='4096'/></vlan></network>",
            "network 'n': VLAN tag 4096 is outside 0..4095",
        ),
        ("<network><name>n</name><vlan><tag/></vlan></network>", "network 'n': <tag> has no id attribute"),
    ],
)
def test_network_errors(xml, message):
    with pytest.raises(LibvirtXmlError) as err:
        parse_network(xml, True)
    assert message in str(err.value)


@pytest.mark.parametrize(
    "xml, message",
    [
        ("<interface type='bridge'/>", "host interface: <interface> has no name attribute"),
        ("<network/>", "host interface: root element is <network>, expected <interface>"),
        ("<interface type='vlan' name='v'/>", "host interface 'v': a vlan interface has no <vlan> element"),
        ("<interface type='vlan' name='v'><vlan/></interface>", "host interface 'v': <vlan> has no tag attribute"),
        ("<interface type='vlan' name='v'><vlan tag='5000'/></interface>", "VLAN tag 5000 is outside 0..4095"),
    ],
)
def test_host_interface_errors(xml, message):
    with pytest.raises(LibvirtXmlError) as err:
        parse_host_interface(xml, True)
    assert message in str(err.value)
