# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host bridge, as MAAS's guides set up br0: discovered as a bridge, declared with a space, and a VM's NIC
really enslaved to it (the kernel's view, through ip link, not only the domain XML)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from conftest import TEST_POOL_PREFIX, TEST_VM_PREFIX, ip, virsh
from playbook_runner import play

pytestmark = pytest.mark.integration

BRIDGE = "vmft-br0"
POOL = TEST_POOL_PREFIX + "br"
DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"]}}


@pytest.fixture
def host_bridge():
    ip("link", "del", BRIDGE, check=False)
    ip("link", "add", BRIDGE, "type", "bridge")
    ip("link", "set", BRIDGE, "up")
    try:
        yield BRIDGE
    finally:
        ip("link", "del", BRIDGE, check=False)


def test_vm_nic_on_a_host_bridge_by_space(tmp_path, pool_path, clean_libvirt, host_bridge):
    name = TEST_VM_PREFIX + "bridged"
    host = {
        "default_storage_pool": POOL,
        "create_default_storage_pool": True,
        "default_storage_pool_path": str(pool_path),
        "networks": [{"name": BRIDGE, "spaces": ["lan"]}],
    }
    vm = {"name": name, "memory": 128, "storage": "root:1", "interfaces": "eth0:space=lan", "state": "started"}
    results, proc = play(
        tmp_path,
        [
            {"name": "host", "vmfleet.hosts.vm_host": host},
            {"name": "vm", "vmfleet.hosts.vm_compose": vm, "ignore_errors": True},
            {"name": "again", "vmfleet.hosts.vm_compose": vm, "ignore_errors": True},
        ],
        timeout=300,
        module_defaults=DEFAULTS,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = next(i for i in results["host"]["host"]["interfaces"] if i["name"] == BRIDGE)
    assert found["type"] == "bridge" and found["spaces"] == ["lan"]
    assert results["vm"].get("failed") is not True, results["vm"]
    assert results["vm"]["vm"]["interfaces"][0]["host_interface"] == BRIDGE
    assert results["again"]["changed"] is False
    nic = ET.fromstring(virsh("dumpxml", name)).find("./devices/interface")
    assert nic.get("type") == "bridge" and nic.find("source").get("bridge") == BRIDGE
    tap = nic.find("target").get("dev")
    assert f"master {BRIDGE}" in ip("link", "show", "dev", tap)  # the running VM's tap is in the bridge
