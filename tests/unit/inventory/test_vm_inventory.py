# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the inventory plugin reads from a VM host and how it becomes hosts, variables and groups."""

from __future__ import annotations

import pytest
from fake_host import FakeDriver, vm

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.plugin_utils.vm_inventory import (
    InventoryConfigError,
    first_usable,
    host_params,
    public_address,
    read_host,
    vm_entries,
)

V4 = {"interface": "eth0", "mac": "52:54:00:00:00:01", "family": "inet", "address": "192.168.122.5"}
V6 = {"interface": "eth0", "mac": "52:54:00:00:00:01", "family": "inet6", "address": "fd42::5"}


def read(driver, params=None, label=None, include_unmanaged=False, include_link_local=False):
    return read_host(
        params or {"address": "qemu:///system"}, label, include_unmanaged, include_link_local, lambda _: driver
    )


def test_only_composed_vms_unless_asked_and_never_other_projects():
    driver = FakeDriver([vm("web-1"), vm("hand-made")], unmanaged={"hand-made"})
    assert [v["name"] for v in read(driver)["vms"]] == ["web-1"]
    every = read(driver, include_unmanaged=True)["vms"]
    assert [(v["name"], v["managed"]) for v in every] == [("hand-made", False), ("web-1", True)]
    assert driver.closed


def test_addresses_asked_only_for_running_vms_with_the_link_local_choice():
    driver = FakeDriver([vm("up"), vm("down", power_state="stopped")], addresses={"up": [V4], "down": [V4]})
    host = read(driver, include_link_local=True)
    by_name = {v["name"]: v for v in host["vms"]}
    assert by_name["up"]["addresses"] == [V4] and by_name["down"]["addresses"] == []
    assert driver.asked == [("up", True)]


def test_host_facts_keep_no_secret_and_no_query_string():
    driver = FakeDriver([vm("web-1")])
    host = read(driver, {"address": "qemu+ssh://root@kvm-01/system?keyfile=/root/.ssh/fleet"})
    assert host["address"] == "qemu+ssh://root@kvm-01/system"
    assert host["type"] == "libvirt" and host["project"] is None and host["label"] == "kvm-01"
    assert public_address("https://lxd:8443") == "https://lxd:8443"


def test_lxd_project_label_and_pool_falls_back_to_the_hosts():
    driver = FakeDriver([vm("c1")], instance_type="container")
    host = read(driver, {"address": "/var/lib/lxd/unix.socket", "project": "web"})
    assert host["label"] == "kvm-01-web" and host["project"] == "web"
    assert host["vms"][0]["pool"] == "default-pool" and host["vms"][0]["instance_type"] == "container"
    assert read(driver, {"type": "lxd"}, label="mine")["label"] == "mine"


def test_driver_closed_when_discovery_fails():
    driver = FakeDriver([])

    def broken():
        raise DriverError("unreachable", "kvm-01 did not answer")

    driver.inventory = broken
    with pytest.raises(DriverError):
        read(driver)
    assert driver.closed


def test_entries_groups_and_ansible_host():
    host = read(FakeDriver([vm("web-1", pool="web", tags=["frontend"])], addresses={"web-1": [V6, V4]}))
    [(name, variables, groups, note)] = list(vm_entries([host], "vmfleet_", "vmfleet_"))
    assert name == "web-1" and note is None
    assert variables["ansible_host"] == "192.168.122.5"  # IPv4 first, whatever the order
    assert variables["vmfleet_memory"] == 1024 and variables["vmfleet_host_tags"] == ["ssd"]
    assert variables["vmfleet_addresses"] == [V6, V4]
    assert groups == [
        "vmfleet_host_kvm-01",
        "vmfleet_pool_web",
        "vmfleet_zone_az1",
        "vmfleet_tag_frontend",
        "vmfleet_running",
        "vmfleet_virtual-machine",
    ]


def test_no_address_no_ansible_host_no_zone_group():
    host = read(FakeDriver([vm("web-1", power_state="stopped")], zone=None))
    [(name, variables, groups, note)] = list(vm_entries([host], "x_", "g_"))
    assert name == "web-1" and note is None
    assert "ansible_host" not in variables and variables["x_addresses"] == []
    assert not any(g.startswith("g_zone_") for g in groups) and "g_stopped" in groups


def test_same_vm_name_on_two_hosts_is_kept_apart():
    one = read(FakeDriver([vm("web-1")]), label="a")
    two = read(FakeDriver([vm("web-1")]), label="b")
    names = [(entry[0], entry[3]) for entry in vm_entries([one, two], "v_", "g_")]
    assert names[0] == ("web-1", None)
    assert names[1][0] == "b/web-1" and "earlier VM host" in names[1][1]


def test_first_usable_prefers_ipv4():
    assert first_usable([V6]) == "fd42::5" and first_usable([]) is None


def test_entry_options_over_top_level_ones_aliases_kept_for_the_check(monkeypatch):
    monkeypatch.setenv("HOME", "/home/op")
    params = host_params(
        {"address": "https://lxd:8443", "project": "web", "client_cert": "~/c.crt", "client_key": "~/c.key"},
        {"url": "https://other:8443", "name": "other"},
        0,
    )
    assert params["address"] == params["url"] == "https://other:8443"
    assert params["project"] == "web" and params["client_cert"] == "/home/op/c.crt"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("qemu:///system", "vm_hosts[0]: must be a mapping"),
        ({"adress": "qemu:///system"}, "vm_hosts[0].adress: is not a setting of a VM host"),
        ({"address": "a", "uri": "b"}, "vm_hosts[0].uri: address is given too"),
        ({"project": 5}, "vm_hosts[0].project: must be a string"),
        ({"name": ""}, "vm_hosts[0].name: must be a non-empty string"),
    ],
)
def test_bad_entries_are_refused_naming_the_setting(entry, message):
    with pytest.raises(InventoryConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        host_params({}, entry, 0)


def test_wrong_alias_refused_as_for_modules():
    params = host_params({}, {"uri": "/var/lib/lxd/unix.socket"}, 0)
    with pytest.raises(DriverError, match="uri is community.libvirt's name"):
        read(FakeDriver([]), params)
