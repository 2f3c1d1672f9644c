# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SR-IOV physical functions from PCI node devices."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.networks import parse_sriov_pf

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def pci(inner: str, numa: str = "") -> str:
    return (
        "<device><name>pci_0000_5e_00_1</name><capability type='pci'><domain>0</domain><bus>94</bus>"
        f"<slot>0</slot><function>1</function>{inner}{numa}</capability></device>"
    )


def test_physical_function_with_three_of_seven_vfs():
    assert parse_sriov_pf(fixture("hand_nodedev_sriov_pf.xml"), ["enp2s0f0"]) == {
        "name": "enp2s0f0",
        "type": "physical",
        "networks": [],
        "forward_mode": None,
        "bridge": None,
        "dhcp": False,
        "dhcp_ranges": [],
        "subnets": [],
        "vlans": [],
        "active": True,
        "numa_node": 1,
        "sriov_max_vf": 7,
        "sriov_used_vf": 0,
        "spaces": [],
        "default": False,
        "pci_address": "0000:02:00.0",
        "vf_addresses": ["0000:02:10.0", "0000:02:10.2", "0000:02:10.4"],
        "node_device": "pci_0000_02_00_0",
    }


def test_name_falls_back_to_the_node_device():
    assert parse_sriov_pf(fixture("hand_nodedev_sriov_pf.xml"), [])["name"] == "pci_0000_02_00_0"


def test_devices_without_virtual_functions():
    # A VF itself, a real virtio NIC, and a device that is not PCI at all.
    assert parse_sriov_pf(fixture("hand_nodedev_sriov_vf.xml"), ["enp2s16"]) is None
    assert parse_sriov_pf(fixture("qemu_host_nodedev_pci_virtio_nic.xml"), ["eth0"]) is None
    assert parse_sriov_pf("<device><name>computer</name><capability type='system'/></device>", []) is None


def test_capable_device_with_no_vfs_enabled_and_no_numa_node():
    entry = parse_sriov_pf(pci("<capability type='virt_functions' maxCount='64'/>"), ["enp94s0f1"])
    assert (entry["sriov_max_vf"], entry["vf_addresses"], entry["numa_node"]) == (64, [], None)
    assert entry["pci_address"] == "0000:5e:00.1"


def test_missing_max_count_uses_the_vfs_listed_and_negative_numa_is_none():
    address = "<address domain='0x0000' bus='0x5e' slot='0x02' function='0x0'/>"
    inner = f"<capability type='virt_functions'>{address}</capability>"
    entry = parse_sriov_pf(pci(inner, "<numa node='-1'/>"), [])
    assert (entry["sriov_max_vf"], entry["numa_node"]) == (1, None)


@pytest.mark.parametrize(
    "xml, message",
    [
        ("<device/>", "node device: <device> has no <name>"),
        ("<network/>", "node device: root element is <network>, expected <device>"),
        (pci("<capability type='virt_functions' maxCount='x'/>"), "node device 'pci_0000_5e_00_1'"),
        (pci("<capability type='virt_functions'><address bus='0x1' slot='zz' function='0'/></capability>"), "PCI slot"),
        (
            "<device><name>d</name><capability type='pci'><capability type='virt_functions'/></capability></device>",
            "PCI address has no bus",
        ),
    ],
)
def test_errors(xml, message):
    with pytest.raises(LibvirtXmlError) as err:
        parse_sriov_pf(xml, [])
    assert message in str(err.value)
