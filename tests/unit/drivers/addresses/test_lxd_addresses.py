# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An LXD instance's addresses from its state, ``GET /1.0/instances/<name>/state``: ``lxd_state_*`` captured from
this project's LXD 5.0.2 (a container of the test image on lxdbr0, running and stopped), ``hand_*`` with a global
IPv6 address as well (lxdbr0 here has none)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.address_scope import usable
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import addresses

FIXTURES = Path(__file__).parent / "fixtures"
MAC = "00:16:3e:5c:2a:10"


def state(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_running_container_without_loopback_or_link_local():
    assert addresses.from_state(state("hand_lxd_state_running.json")) == [
        {"interface": "eth0", "mac": MAC, "family": "inet", "address": "10.185.97.214"},
        {"interface": "eth0", "mac": MAC, "family": "inet6", "address": "fd42:7a1c:9e0b:3d1f:216:3eff:fe5c:2a10"},
    ]


def test_link_local_when_asked_loopback_never():
    found = addresses.from_state(state("hand_lxd_state_running.json"), include_link_local=True)
    assert [e["address"] for e in found][-1] == "fe80::216:3eff:fe5c:2a10"
    assert not any(e["interface"] == "lo" for e in found)


def test_captured_container_its_dhcp_address_only():
    assert addresses.from_state(state("lxd_state_running.json")) == [
        {"interface": "eth0", "mac": "00:16:3e:2d:ec:94", "family": "inet", "address": "10.83.0.116"}
    ]
    with_link_local = addresses.from_state(state("lxd_state_running.json"), include_link_local=True)
    assert [e["address"] for e in with_link_local] == ["10.83.0.116", "fe80::216:3eff:fe2d:ec94"]


def test_stopped_instance_has_none():
    assert addresses.from_state(state("lxd_state_stopped.json")) == []
    assert addresses.from_state({}) == []


@pytest.mark.parametrize(
    ("address", "kept"),
    [
        ("10.0.0.1", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("169.254.1.1", False),
        ("fe80::1%eth0", False),
        ("0.0.0.0", False),
        ("not an address", False),
        ("2001:db8::1", True),
    ],
)
def test_usable(address, kept):
    assert usable(address) is kept


class Response:
    def __init__(self, body):
        self.body = body

    def json(self):
        return self.body


class Node:
    """client.api.instances[name].state, as pylxd's API nodes chain."""

    def __init__(self, answer):
        self.answer = answer

    def __getitem__(self, name):
        return self

    def __getattr__(self, name):
        return self

    def get(self):
        if isinstance(self.answer, Exception):
            raise self.answer
        return Response({"metadata": self.answer})


class Client:
    def __init__(self, answer):
        self.api = Node(answer)


def test_reads_the_state_endpoint():
    found = addresses.addresses(Client(state("hand_lxd_state_running.json")), "web-1")
    assert found[0]["address"] == "10.185.97.214"


def test_a_missing_instance_is_named():
    class Missing(OSError):
        response = type("R", (), {"status_code": 404})()

    with pytest.raises(DriverError, match="instance 'gone' does not exist"):
        addresses.addresses(Client(Missing()), "gone")
