# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""interfaces[] from LXD networks (managed and the host's own), their state, and SR-IOV cards."""

from __future__ import annotations

import pytest
from lxd_fixtures import load

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.interfaces import apply_networks
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.discovery import LXD_NETWORK, count_vfs
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.errors import LxdDataError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.networks import (
    default_network,
    parse_network,
    sriov_cards,
)


def real(name: str):
    network = next(n for n in load("networks.json") if n["name"] == name)
    state = load(f"network_state_{name}.json") if name in ("lxdbr0", "eth0", "lo", "virbr0") else None
    return parse_network(network, state)


def test_managed_bridge_with_nat_and_dhcp():
    entry = real("lxdbr0")
    assert entry["type"] == "network" and entry["networks"] == ["lxdbr0"] and entry["bridge"] == "lxdbr0"
    assert entry["forward_mode"] == "nat" and entry["dhcp"] is True and entry["active"] is True
    assert entry["subnets"] == ["10.83.0.0/24"]


def test_host_interfaces_keep_their_type_and_global_addresses():
    eth0 = real("eth0")
    assert eth0["type"] == "physical" and eth0["networks"] == [] and eth0["forward_mode"] is None
    assert eth0["subnets"] == ["192.0.2.0/24", "fd00::/64"]  # the link-local fe80:: address is left out
    virbr0 = real("virbr0")
    assert virbr0["type"] == "bridge" and virbr0["bridge"] == "virbr0" and virbr0["subnets"] == ["192.168.122.0/24"]


def test_loopback_and_unknown_devices_are_left_out():
    assert real("lo") is None and real("ifb0") is None


def test_managed_bridge_without_state_reads_its_configured_address():
    network = next(n for n in load("networks.json") if n["name"] == "lxdbr0")
    assert parse_network(network, None)["subnets"] == ["10.83.0.0/24"]
    routed = dict(network, config={"ipv4.address": "10.9.0.1/24", "ipv4.dhcp": "false", "ipv4.nat": "false"})
    entry = parse_network(routed, None)
    assert entry["forward_mode"] == "route" and entry["dhcp"] is False
    isolated = dict(network, config={"ipv4.address": "none", "ipv6.address": "none"})
    assert parse_network(isolated, None)["forward_mode"] is None


def test_managed_macvlan_network_with_vlan_and_dhcp_ranges():
    macvlan = {
        "name": "mv10",
        "type": "macvlan",
        "managed": True,
        "status": "Created",
        "config": {"parent": "eth0", "vlan": "10"},
    }
    entry = parse_network(macvlan, None)
    assert entry["forward_mode"] == "macvlan" and entry["bridge"] == "eth0" and entry["vlans"] == [10]
    ranged = {
        "name": "br1",
        "type": "bridge",
        "managed": True,
        "config": {"ipv4.address": "10.1.0.1/24", "ipv4.dhcp.ranges": "10.1.0.10-10.1.0.50,10.1.0.100-10.1.0.110"},
    }
    assert parse_network(ranged, None)["dhcp_ranges"] == ["10.1.0.10-10.1.0.50", "10.1.0.100-10.1.0.110"]


def test_host_vlan_and_bond_members_from_state():
    vlan = {"name": "eth0.20", "type": "vlan", "managed": False}
    entry = parse_network(vlan, {"state": "up", "vlan": {"lower_device": "eth0", "vid": 20}, "addresses": []})
    assert entry["vlans"] == [20] and entry["members"] == ["eth0"]
    bond = {"name": "bond0", "type": "bond", "managed": False}
    entry = parse_network(bond, {"state": "down", "bond": {"lower_devices": ["eno1", "eno2"]}})
    assert entry["members"] == ["eno1", "eno2"] and entry["active"] is False


@pytest.mark.parametrize(
    ("network", "message"),
    [
        ({"name": "x", "type": "vlan", "managed": True, "config": {"vlan": "5000"}}, "VLAN tag 5000"),
        ({"name": "x", "type": "bridge", "managed": True, "config": {"ipv4.address": "10.0.0.300/24"}}, "not a usable"),
        ({"type": "bridge"}, "network.name is missing"),
    ],
)
def test_bad_networks_are_refused_naming_them(network, message):
    with pytest.raises(LxdDataError, match=message):
        parse_network(network, None)


def test_default_network_is_where_the_default_profile_puts_instances():
    assert default_network(load("profile_default.json")) == "lxdbr0"
    assert default_network({"devices": {"eth1": {"type": "nic", "nictype": "macvlan", "parent": "eth0"}}}) == "eth0"
    assert default_network({"devices": {}}) is None and default_network(None) is None


def test_sriov_cards_with_their_node_and_vfs():
    assert sriov_cards(load("resources.json")) == []  # virtio has no VFs
    (card,) = sriov_cards(load("hand_resources_2node_ht_sriov.json"))
    assert card["name"] == "enp129s0f0" and card["numa_node"] == 1 and card["sriov_max_vf"] == 63
    assert card["vf_addresses"] == ["0000:81:10.0", "0000:81:10.2"] and card["type"] == "physical"


def test_vfs_in_use_are_counted_from_the_instances():
    (card,) = sriov_cards(load("hand_resources_2node_ht_sriov.json"))
    vms = [{"interfaces": [{"vf": True, "host_interface": "enp129s0f0"}, {"vf": False, "host_interface": "lxdbr0"}]}]
    free = count_vfs([card], vms)
    assert card["sriov_used_vf"] == 1 and free == {"enp129s0f0": ["0000:81:10.2"]}
    assert "vf_addresses" not in card


def test_declared_networks_add_what_they_carry_and_the_default():
    interfaces = [real("lxdbr0"), real("eth0")]
    declared = [{"name": "eth0", "vlans": [10], "subnets": ["10.10.0.0/24"], "spaces": ["storage"], "default": True}]
    apply_networks(interfaces, declared, LXD_NETWORK)
    lxdbr0, eth0 = interfaces
    assert lxdbr0["default"] is False and eth0["default"] is True
    assert eth0["vlans"] == [10] and eth0["spaces"] == ["storage"] and "10.10.0.0/24" in eth0["subnets"]
    with pytest.raises(DriverError, match="'br9' is declared in the policy but is not an LXD network"):
        apply_networks(
            interfaces, [{"name": "br9", "vlans": [], "subnets": [], "spaces": [], "default": False}], LXD_NETWORK
        )
