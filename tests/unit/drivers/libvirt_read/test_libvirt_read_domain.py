# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vms[] allocations from domain XML that libvirt itself wrote (defined on qemu:///system or test:///default)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_vm
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.domain import (
    POWER_STATES,
    parse_domain,
    power_state,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError

FIXTURES = Path(__file__).parent / "fixtures"
VOLUMES = {
    "/srv/bulk/web-1-data.qcow2": ("bulk", "web-1-data.qcow2"),
    "/dev/vg_nvme/db-1-root": ("vg_nvme", "db-1-root"),
}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def domain(body: str, name: str = "web-1") -> str:
    return f"<domain type='kvm'><name>{name}</name><memory unit='KiB'>1048576</memory>{body}</domain>"


def nic(kind: str, inner: str = "") -> dict:
    return parse_domain(domain(f"<devices><interface type='{kind}'>{inner}</interface></devices>"), 5, None)[
        "interfaces"
    ][0]


def test_composed_domain_with_everything():
    looked_up = []

    def volume_of(path):
        looked_up.append(path)
        return VOLUMES.get(path)

    result = parse_domain(fixture("qemu_domain_web_1_inactive.xml"), 5, volume_of)
    assert looked_up == ["/srv/bulk/web-1-data.qcow2"]
    assert result == {
        "name": "vmfleet-read-fixture-web-1",
        "uuid": "5f0c6f3e-8d0a-4a57-9a51-2b1f3c9d7e01",
        "cores": 4,
        "max_cores": 4,
        "pinned_cores": [2, 3, 4, 5],
        "vcpupin": {0: [2], 1: [3], 2: [4], 3: [5]},
        "emulatorpin": [],
        "memory": 4096,
        "max_memory": 4096,
        "hugepages_backed": True,
        "hugepage_size": 2097152,
        "numanode_set": [1],
        "numatune_mode": "strict",
        "disks": [
            {
                "name": "vda",
                "pool": "default",
                "volume": "web-1-root",
                "size": None,
                "path": None,
                "device": "disk",
                "format": "raw",
            },
            {
                "name": "vdb",
                "pool": "bulk",
                "volume": "web-1-data.qcow2",
                "size": None,
                "path": "/srv/bulk/web-1-data.qcow2",
                "device": "disk",
                "format": "qcow2",
            },
            {
                "name": "sda",
                "pool": None,
                "volume": None,
                "size": None,
                "path": None,
                "device": "cdrom",
                "format": "raw",
            },
        ],
        "interfaces": [
            {
                "name": "net0",
                "type": "network",
                "mode": "bridge",
                "network": "default",
                "bridge": None,
                "mac": "52:54:00:aa:00:01",
                "vlan": None,
                "host_interface": None,
                "macvlan_mode": None,
                "vf": False,
                "pci_address": None,
                "model": "virtio",
            },
            {
                "name": "net1",
                "type": "bridge",
                "mode": "bridge",
                "network": None,
                "bridge": "br0",
                "mac": "52:54:00:aa:00:02",
                "vlan": 42,
                "host_interface": None,
                "macvlan_mode": None,
                "vf": False,
                "pci_address": None,
                "model": "virtio",
            },
            {
                "name": "net2",
                "type": "direct",
                "mode": "macvlan",
                "network": None,
                "bridge": None,
                "mac": "52:54:00:aa:00:03",
                "vlan": None,
                "host_interface": "enp94s0f1",
                "macvlan_mode": "bridge",
                "vf": False,
                "pci_address": None,
                "model": "virtio",
            },
            {
                "name": "net3",
                "type": "hostdev",
                "mode": "sriov",
                "network": None,
                "bridge": None,
                "mac": "52:54:00:aa:00:04",
                "vlan": 100,
                "host_interface": None,
                "macvlan_mode": None,
                "vf": True,
                # The host VF from <source><address>, not the guest-side <address> libvirt adds after it.
                "pci_address": "0000:02:10.1",
                "model": None,
            },
        ],
        "pci_hostdevs": ["0000:02:10.1"],
        "power_state": "stopped",
        "domain_type": "kvm",
        "boot": ["network", "hd"],
        "metadata": {
            "managed": True,
            "pool": "default",
            "tags": ["web", "prod"],
            "volumes": [{"pool": "default", "name": "web-1-root"}, {"pool": "bulk", "name": "web-1-data.qcow2"}],
            "request": {"name": "web-1", "cores": 4, "memory": 4096, "pinned_cores": [2, 3, 4, 5]},
        },
        "pool": "default",
        "tags": ["web", "prod"],
    }


def test_test_driver_domain():
    result = parse_domain(fixture("testdrv_domain_test.xml"), 1, lambda path: None)
    assert (result["name"], result["domain_type"], result["power_state"]) == ("test", "test", "running")
    assert (result["cores"], result["max_cores"]) == (2, 2)
    # currentMemory (2 GiB) is the allocation; memory (8 GiB) the balloon ceiling.
    assert (result["memory"], result["max_memory"]) == (2048, 8192)
    assert result["disks"] == [
        {
            "name": "vda",
            "pool": None,
            "volume": None,
            "size": None,
            "path": "/guest/diskimage1",
            "device": "disk",
            "format": None,
        }
    ]
    assert result["interfaces"][0]["name"] == "testnet0"
    assert result["interfaces"][0]["network"] == "default"
    assert result["boot"] == ["hd"]
    assert result["metadata"]["managed"] is False
    assert (result["pool"], result["tags"], result["numanode_set"], result["pinned_cores"]) == (None, [], [], [])


def test_pinned_hugepage_domain_with_block_network_and_hostdev_disks():
    looked_up = []

    def volume_of(path):
        looked_up.append(path)
        return VOLUMES.get(path)

    result = parse_domain(fixture("qemu_domain_db_1_inactive.xml"), 3, volume_of)
    assert looked_up == ["/dev/vg_nvme/db-1-root"]
    assert (result["cores"], result["max_cores"]) == (4, 8)
    assert result["vcpupin"] == {0: [8, 9], 1: [8, 9], 2: [24, 25], 3: [24, 25]}
    assert result["pinned_cores"] == [8, 9, 24, 25]
    assert result["emulatorpin"] == [0]
    # Both <page> elements name guest nodes; the first one's size is reported.
    assert (result["hugepages_backed"], result["hugepage_size"]) == (True, 1073741824)
    # placement='auto': numad chooses the nodes when the domain starts.
    assert (result["numanode_set"], result["numatune_mode"]) == ([], "preferred")
    assert [(d["name"], d["pool"], d["volume"], d["path"]) for d in result["disks"]] == [
        ("vda", "vg_nvme", "db-1-root", "/dev/vg_nvme/db-1-root"),
        ("vdb", None, None, "rbdpool/db-1-data"),
    ]
    assert result["pci_hostdevs"] == ["0000:02:10.2"]
    assert result["interfaces"] == []
    assert result["boot"] == ["hd"]
    assert result["power_state"] == "paused"
    assert result["memory"] == 8192


def test_memnode_bindings_and_device_boot_order():
    result = parse_domain(fixture("qemu_domain_memnode_inactive.xml"), 5, lambda path: None)
    assert (result["numanode_set"], result["numatune_mode"]) == ([0, 1], None)
    assert result["boot"] == ["cdrom", "network"]
    assert result["disks"][0]["device"] == "cdrom"
    assert result["disks"][0]["path"] == "/var/lib/libvirt/images/seed.iso"
    assert result["hugepages_backed"] is False
    assert result["hugepage_size"] is None


def test_running_domain_nic_names_ignore_generated_tap_devices():
    result = parse_domain(fixture("qemu_domain_live_running.xml"), 1, None)
    assert [(n["name"], n["type"], n["mode"]) for n in result["interfaces"]] == [
        ("net0", "ethernet", None),
        ("storage", "ethernet", None),
    ]
    assert (result["cores"], result["max_cores"], result["memory"]) == (1, 2, 64)
    assert result["boot"] == ["network", "hd"]
    assert result["domain_type"] == "qemu"


def test_running_network_nic_names_its_bridge():
    entry = nic("network", "<source network='default' portid='x' bridge='virbr0'/><target dev='mytap'/>")
    assert (entry["name"], entry["network"], entry["bridge"]) == ("mytap", "default", "virbr0")


def test_direct_nic_defaults_to_vepa_and_sources_may_be_missing():
    assert nic("direct", "<source dev='eno1'/>")["macvlan_mode"] == "vepa"
    assert nic("direct")["host_interface"] is None
    assert nic("hostdev")["pci_address"] is None
    assert nic("bridge")["bridge"] is None
    assert nic("user")["mode"] is None


def test_first_vlan_tag_of_a_trunk():
    assert nic("bridge", "<vlan trunk='yes'><tag id='7'/><tag id='8'/></vlan>")["vlan"] == 7


@pytest.mark.parametrize(
    "state, expected",
    [(0, "unknown"), (1, "running"), (2, "running"), (3, "paused"), (4, "running")]
    + [(5, "stopped"), (6, "crashed"), (7, "suspended"), (99, "unknown")],
)
def test_power_states(state, expected):
    assert power_state(state) == expected
    assert POWER_STATES.get(state, "unknown") == expected


@pytest.mark.parametrize("state", [None, "1", True, [1, 0]])
def test_power_state_must_be_the_state_number(state):
    with pytest.raises(LibvirtXmlError, match="is not a virDomainState number"):
        parse_domain(domain(""), state, None)


def test_defaults_of_a_minimal_domain():
    result = parse_domain(domain("<memoryBacking><hugepages/></memoryBacking>"), 5, None)
    assert (result["cores"], result["max_cores"], result["memory"], result["max_memory"]) == (1, 1, 1024, 1024)
    # An empty <hugepages/> means the host's default page size, which the caller knows.
    assert (result["hugepages_backed"], result["hugepage_size"]) == (True, None)
    assert result["uuid"] is None
    assert result["disks"] == [] and result["interfaces"] == [] and result["boot"] == []


def test_memory_rounds_up_to_whole_mib():
    result = parse_domain(domain("<currentMemory unit='KiB'>1025</currentMemory>"), 5, None)
    assert result["memory"] == 2


def test_page_without_nodeset_wins():
    pages = "<page size='1' unit='G' nodeset='0'/><page size='2048'/>"
    result = parse_domain(domain(f"<memoryBacking><hugepages>{pages}</hugepages></memoryBacking>"), 5, None)
    assert result["hugepage_size"] == 2097152


def test_disk_without_target_or_source_and_volume_of_none():
    disks = "<devices><disk type='file' device='disk'><source file='/x.img'/></disk><disk type='block'/></devices>"
    result = parse_domain(domain(disks), 5, None)
    assert [(d["name"], d["path"], d["pool"]) for d in result["disks"]] == [
        ("disk0", "/x.img", None),
        ("disk1", None, None),
    ]


def test_allocation_passes_the_capacity_core():
    result = parse_domain(fixture("qemu_domain_web_1_inactive.xml"), 1, VOLUMES.get)
    result["hugepages"] = [{"node_id": 1, "page_size": result["hugepage_size"], "count": 2048}]
    allocation = parse_vm(result, "vms[0]", "kvm-a", {2: 1, 3: 1, 4: 1, 5: 1})
    assert (allocation["cores"], allocation["pinned_cores"], allocation["numanode_set"]) == (4, [2, 3, 4, 5], [1])


@pytest.mark.parametrize(
    "xml, message",
    [
        ("<domain><memory>1</memory></domain>", "domain: <domain> has no <name>"),
        ("<network/>", "domain: root element is <network>, expected <domain>"),
        ("<domain><name>a</name></domain>", "domain 'a': there is no <memory> element"),
        (
            "<domain><name>web-1</name><memory unit='XB'>4</memory></domain>",
            "domain 'web-1': <memory unit='XB'> is not a known unit",
        ),
        (
            domain("<currentMemory unit='KiB'>x</currentMemory>"),
            "<currentMemory unit='KiB'>: 'x' is not a whole number",
        ),
        (
            domain("<vcpu current='4'>2</vcpu>"),
            "domain 'web-1': <vcpu current='4'> has 4 current vCPUs, more than its 2",
        ),
        (domain("<vcpu>0</vcpu>"), "domain 'web-1': <vcpu>: 0 is below 1"),
        (
            domain("<cputune><vcpupin vcpu='0' cpuset='1'/><vcpupin vcpu='0' cpuset='2'/></cputune>"),
            "domain 'web-1': vCPU 0 is pinned twice",
        ),
        (
            domain("<cputune><vcpupin cpuset='1'/></cputune>"),
            "domain 'web-1': <vcpupin>: <vcpupin cpuset='1'> has no vcpu",
        ),
        (domain("<cputune><vcpupin vcpu='0' cpuset='1-x'/></cputune>"), "domain 'web-1': <vcpupin vcpu='0'>: cpuset"),
        (domain("<cputune><emulatorpin cpuset='x'/></cputune>"), "domain 'web-1': <emulatorpin>: cpuset"),
        (domain("<numatune><memory nodeset='0-x'/></numatune>"), "domain 'web-1': <numatune><memory>: cpuset"),
        (domain("<numatune><memnode cellid='0' nodeset='y'/></numatune>"), "domain 'web-1': <memnode>: cpuset"),
        (
            domain("<memoryBacking><hugepages><page unit='KiB'/></hugepages></memoryBacking>"),
            "domain 'web-1': <page unit='KiB'> has no size attribute",
        ),
        (
            domain("<memoryBacking><hugepages><page size='2' unit='XB'/></hugepages></memoryBacking>"),
            "domain 'web-1': <page size='2' unit='XB'> is not a known unit",
        ),
        (
            domain("<devices><interface type='bridge'><vlan><tag id='x'/></vlan></interface></devices>"),
            "domain 'web-1': NIC 0: <tag id='x'> id",
        ),
        (
            domain("<devices><interface type='hostdev'><source><address slot='0x1'/></source></interface></devices>"),
            "domain 'web-1': NIC 0: PCI address has no bus",
        ),
        (domain("<devices><disk><boot order='x'/></disk></devices>"), "domain 'web-1': disk boot"),
        (domain("<devices><interface type='user'><boot/></interface></devices>"), "domain 'web-1': NIC boot"),
        (
            domain(
                "<metadata><v:vm xmlns:v='http://vmfleet.hosts/xmlns/vm/1.0'><v:request>[]</v:request></v:vm></metadata>"
            ),
            "domain 'web-1': vmfleet metadata request is list",
        ),
    ],
)
def test_errors_name_the_domain(xml, message):
    with pytest.raises(LibvirtXmlError) as err:
        parse_domain(xml, 1, None)
    assert message in str(err.value)


def test_volume_of_must_return_a_pair():
    xml = domain("<devices><disk type='file'><source file='/x'/><target dev='vda'/></disk></devices>")
    with pytest.raises(LibvirtXmlError, match=r"domain 'web-1': volume_of\('/x'\) returned 'p', not \(pool, volume\)"):
        parse_domain(xml, 1, lambda path: "p")
