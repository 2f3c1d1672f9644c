# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A libvirt domain's addresses from leases, the guest agent and ARP, in the shapes libvirt-python returns them
(fixtures ``hand_*``: leases and agent answers as virNetworkGetDHCPLeases and virDomainInterfaceAddresses give
them; a running domain's XML in the shape libvirt 9.0 writes it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import addresses
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import libvirt

FIXTURES = Path(__file__).parent / "fixtures"
MAC = "52:54:00:3b:1f:9a"


def fixture(name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else text


def nics():
    return addresses.domain_nics(fixture("hand_domain_web_1_running.xml"), "web-1")


def test_nics_with_lower_case_macs_and_their_network():
    assert nics() == [
        {"mac": MAC, "network": "default", "target": "vnet3"},
        {"mac": "52:54:00:11:22:33", "network": None, "target": "vnet4"},
    ]


def test_leases_matched_by_mac_on_the_nics_networks_only():
    asked = []

    def leases_of(network):
        asked.append(network)
        return fixture("hand_libvirt_leases_default.json")

    found = addresses.from_leases(nics(), leases_of)
    assert asked == ["default"]  # a bridged NIC has no libvirt network to ask
    assert found == [
        {"interface": "vnet3", "mac": MAC, "family": "inet", "address": "192.168.122.57"},
        {"interface": "vnet3", "mac": MAC, "family": "inet6", "address": "fd00:122::57"},
    ]


def test_unreadable_leases_add_nothing():
    assert addresses.from_leases(nics(), lambda network: None) == []


def test_agent_answer_keeps_only_the_domains_nics():
    found = addresses.from_interface_addresses(nics(), fixture("hand_libvirt_agent_addresses.json"))
    assert [(e["interface"], e["address"]) for e in found] == [
        ("enp1s0", "192.168.122.57"),
        ("enp1s0", "192.168.122.200"),
        ("enp1s0", "fe80::5054:ff:fe3b:1f9a"),
    ]
    assert {e["mac"] for e in found} == {MAC}


class Domain:
    def __init__(self, active=True, agent=None, arp=None):
        self.active = active
        self.answers = {addresses.SOURCE_AGENT: agent, addresses.SOURCE_ARP: arp}
        self.asked = []

    def XMLDesc(self, flags):  # noqa: N802 - libvirt's name
        return fixture("hand_domain_web_1_running.xml")

    def isActive(self):  # noqa: N802 - libvirt's name
        return self.active

    def interfaceAddresses(self, source, flags):  # noqa: N802 - libvirt's name
        self.asked.append(source)
        answer = self.answers[source]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Network:
    def DHCPLeases(self):  # noqa: N802 - libvirt's name
        return fixture("hand_libvirt_leases_default.json")


class Conn:
    def __init__(self, domain):
        self.domain = domain

    def lookupByName(self, name):  # noqa: N802 - libvirt's name
        if self.domain is None:
            error = libvirt.libvirtError("Domain not found")
            error.err = (libvirt.VIR_ERR_NO_DOMAIN, 0, "Domain not found", 2, "", None, None, 0, 0)
            raise error
        return self.domain

    def networkLookupByName(self, name):  # noqa: N802 - libvirt's name
        return Network()


def no_agent():
    error = libvirt.libvirtError("Guest agent is not responding")
    error.err = (libvirt.VIR_ERR_AGENT_UNRESPONSIVE, 0, "Guest agent is not responding", 2, "", None, None, 0, 0)
    return error


def test_all_sources_merged_in_order_each_address_once_link_local_left_out():
    dom = Domain(agent=fixture("hand_libvirt_agent_addresses.json"), arp={"vnet3": {"hwaddr": MAC, "addrs": []}})
    found = addresses.addresses(Conn(dom), "web-1")
    assert [(e["interface"], e["address"]) for e in found] == [
        ("vnet3", "192.168.122.57"),  # the lease came first and names it
        ("vnet3", "fd00:122::57"),
        ("enp1s0", "192.168.122.200"),  # only the agent knows this static one
    ]
    assert dom.asked == [addresses.SOURCE_AGENT, addresses.SOURCE_ARP]
    with_link_local = addresses.addresses(Conn(dom), "web-1", include_link_local=True)
    assert "fe80::5054:ff:fe3b:1f9a" in [e["address"] for e in with_link_local]


def test_no_agent_never_fails_the_call():
    arp = {"vnet3": {"hwaddr": MAC, "addrs": [{"type": 0, "addr": "192.168.122.57", "prefix": 0}]}}
    found = addresses.addresses(Conn(Domain(agent=no_agent(), arp=arp)), "web-1")
    assert [e["address"] for e in found] == ["192.168.122.57", "fd00:122::57"]


def test_a_stopped_domain_has_no_address_even_with_an_old_lease():
    dom = Domain(active=False)
    assert addresses.addresses(Conn(dom), "web-1") == [] and dom.asked == []


def test_a_missing_domain_is_named():
    with pytest.raises(DriverError, match="VM 'gone' does not exist"):
        addresses.addresses(Conn(None), "gone")
