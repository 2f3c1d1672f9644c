# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""macvlan NICs (libvirt ``direct`` interfaces, macvtap in the kernel) on a real host interface.

The host interface is one end of a veth pair the test makes: libvirt's udev backend lists it as an ethernet
interface (a physical NIC in the host record), and whatever the guests send stays on this machine, on the pair.
(A dummy NIC would do as well where the kernel has the dummy driver; this machine's kernel has not.)
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from conftest import TEST_POOL_PREFIX, TEST_VM_PREFIX, ip, virsh
from playbook_runner import play

pytestmark = pytest.mark.integration

POOL = TEST_POOL_PREFIX + "macvlan"
NIC = TEST_VM_PREFIX + "veth0"
PEER = TEST_VM_PREFIX + "veth1"
DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"], "shutdown_timeout": 5}}


@pytest.fixture
def host_nic():
    """A host NIC for macvlan parents: one end of a veth pair, up, removed (with its peer) after the test."""
    ip("link", "del", NIC, check=False)
    ip("link", "add", NIC, "type", "veth", "peer", "name", PEER)
    try:
        ip("link", "set", PEER, "up")
        ip("link", "set", NIC, "up")
        yield NIC
    finally:
        ip("link", "del", NIC, check=False)


def task(label, module, **options):
    return {"name": label, f"vmfleet.hosts.{module}": options, "ignore_errors": True}


def run(tmp_path, tasks):
    results, proc = play(tmp_path, tasks, timeout=300, module_defaults=DEFAULTS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name, result in results.items():
        assert not result.get("failed"), (name, result.get("msg"), result)
    return results


def vm_host_task(pool_path):
    return task(
        "vm host",
        "vm_host",
        default_storage_pool=POOL,
        create_default_storage_pool=True,
        default_storage_pool_path=str(pool_path),
        networks=[{"name": NIC, "spaces": ["dmz"]}],
        # room for the test's VMs next to whatever else runs on this machine (it is not about capacity)
        cpu_over_commit_ratio=10,
        memory_over_commit_ratio=4,
    )


def direct_nic(name) -> ET.Element:
    (nic,) = ET.fromstring(virsh("dumpxml", name)).findall("./devices/interface")
    return nic


def macvtaps_on(parent) -> list:
    """The kernel's macvtap devices whose lower device is ``parent`` (what libvirt made for the guests)."""
    return [
        line.split(":")[1].strip().split("@")[0]
        for line in ip("-o", "-d", "link", "show", "type", "macvtap").splitlines()
        if f"@{parent}:" in line
    ]


def test_host_nic_is_discovered_as_a_physical_interface(tmp_path, pool_path, clean_libvirt, host_nic):
    results = run(tmp_path, [vm_host_task(pool_path), task("info", "vm_host_info")])
    (entry,) = [i for i in results["info"]["host"]["interfaces"] if i["name"] == host_nic]
    assert entry["type"] == "physical" and entry["spaces"] == ["dmz"]
    assert entry["active"] is True


def test_macvlan_nic_by_space_starts_on_the_host_nic(tmp_path, pool_path, clean_libvirt, host_nic):
    name = TEST_VM_PREFIX + "macvlan"
    request = {"memory": 128, "storage": "root:1", "interfaces": "eth0:space=dmz,mode=macvlan", "state": "started"}
    results = run(
        tmp_path,
        [
            vm_host_task(pool_path),
            task("compose", "vm_compose", name=name, **request),
            task("again", "vm_compose", name=name, **request),
        ],
    )
    composed = results["compose"]
    assert composed["changed"] is True and composed["power_state"] == "running"
    (record_nic,) = composed["vm"]["interfaces"]
    assert record_nic["mode"] == "macvlan" and record_nic["host_interface"] == host_nic
    assert results["again"]["changed"] is False
    nic = direct_nic(name)
    assert nic.get("type") == "direct"
    assert nic.find("source").attrib == {"dev": host_nic, "mode": "bridge"}
    assert nic.find("mac").get("address") == record_nic["mac"]
    assert virsh("domstate", name).strip() == "running"
    assert nic.find("target").get("dev") in macvtaps_on(host_nic)  # the kernel made the macvtap on our NIC


def test_macvlan_mode_vepa_from_the_dict_form(tmp_path, pool_path, clean_libvirt, host_nic):
    name = TEST_VM_PREFIX + "vepa"
    nics = [{"name": "eth0", "space": "dmz", "mode": "macvlan", "macvlan_mode": "vepa"}]
    results = run(
        tmp_path,
        [
            vm_host_task(pool_path),
            task("compose", "vm_compose", name=name, memory=128, storage="root:1", interfaces=nics, state="started"),
            task("read", "vm_host_info"),
        ],
    )
    assert results["compose"]["power_state"] == "running"
    nic = direct_nic(name)
    assert nic.get("type") == "direct"
    assert nic.find("source").attrib == {"dev": host_nic, "mode": "vepa"}
    assert virsh("domstate", name).strip() == "running"
    assert "macvtap mode vepa" in ip("-d", "link", "show", nic.find("target").get("dev"))
    (vm,) = [v for v in results["read"]["host"]["vms"] if v["name"] == name]
    assert vm["interfaces"][0]["macvlan_mode"] == "vepa" and vm["interfaces"][0]["host_interface"] == host_nic
