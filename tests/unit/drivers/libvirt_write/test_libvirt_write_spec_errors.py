# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A bad domain spec fails before rendering, with the key at fault in the message."""

from __future__ import annotations

import re

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.domain import render_domain
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.domain_validate import cpuset_ids
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.errors import RenderError

from libvirt_write_specs import disk, kvm_pinned, nic, pxe_tcg, spanning

MAC = "52:54:00:00:00:01"


def cells(*given):
    """Guest cells from (id, cpus, memory_mib) triples."""
    return [{"id": cell_id, "cpus": cpus, "memory_mib": memory} for cell_id, cpus, memory in given]


def fails(spec, message):
    with pytest.raises(RenderError, match=re.escape(message)):
        render_domain(spec)


def test_render_error_is_a_value_error():
    assert issubclass(RenderError, ValueError)


def test_not_a_dict():
    fails(["name"], "spec: expected a dict, got list")


@pytest.mark.parametrize("key", ["name", "vcpus", "interfaces", "console", "max_memory_mib"])
def test_missing_key_is_named(key):
    spec = pxe_tcg()
    del spec[key]
    fails(spec, f"spec: missing key(s) {key}")


def test_unknown_key_is_named():
    fails(pxe_tcg(cores=2), "spec: unknown key(s) cores")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"name": ""}, "name: expected a non-empty string"),
        ({"name": "a/b"}, "name: 'a/b' contains '/'"),
        ({"name": "tab\there"}, "name: 'tab\\there' contains control characters"),
        ({"uuid": "not-a-uuid"}, "uuid: expected a UUID"),
        ({"uuid": "3c5f2a9e-1f2b-4c3d-8e9f-0a1b2c3d4e5f\n"}, "uuid: expected a UUID"),
        ({"domain_type": "xen"}, "domain_type: expected one of kvm, qemu, got 'xen'"),
        ({"emulator": "qemu-system-x86_64"}, "emulator: expected an absolute path"),
        ({"arch": "x86 64"}, "arch: expected an architecture name"),
        ({"machine": "q35'/>"}, "machine: expected a machine type"),
        ({"cpu_mode": "host-model"}, "cpu_mode: expected one of host-passthrough"),
        ({"cpu_mode": "host-passthrough"}, "cpu_mode: 'host-passthrough' needs domain_type 'kvm'"),
        ({"cpu_disabled_features": ["x2apic"]}, "cpu_disabled_features: only applies with a cpu_mode"),
        ({"cpu_disabled_features": "x2apic"}, "cpu_disabled_features: expected a list"),
        ({"cpu_disabled_features": ["a b"]}, "cpu_disabled_features[0]: expected a CPU feature name"),
        ({"vcpus": 0}, "vcpus: expected an integer at least 1, got 0"),
        ({"vcpus": True}, "vcpus: expected an integer, got True"),
        ({"vcpus": "2"}, "vcpus: expected an integer, got '2'"),
        ({"vcpupin": [[0]]}, "vcpupin[0]: expected [vcpu, cpuset]"),
        ({"vcpupin": [[1, "2"]]}, "vcpupin[0][0]: expected an integer from 0 to 0, got 1"),
        ({"vcpupin": [[0, "2"], [0, "3"]]}, "vcpupin[1]: vCPU 0 is pinned twice"),
        ({"vcpupin": [[0, "2;3"]]}, "vcpupin[0][1]: expected a cpuset"),
        ({"vcpupin": [[0, "3-2"]]}, "vcpupin[0][1]: range '3-2' runs backwards"),
        ({"emulatorpin": "a"}, "emulatorpin: expected a cpuset"),
        ({"numatune": {"mode": "strict"}}, "numatune: missing key(s) nodeset"),
        ({"numatune": {"mode": "loose", "nodeset": "0"}}, "numatune.mode: expected one of strict"),
        ({"memory_mib": 0}, "memory_mib: expected an integer at least 1"),
        ({"max_memory_mib": 256}, "max_memory_mib: 256 is less than memory_mib 512"),
        ({"hugepages": {"page_size_kib": 1048576}}, "hugepages.page_size_kib: 512 MiB is not a whole number"),
        ({"hugepages": {}}, "hugepages: missing key(s) page_size_kib"),
        ({"boot": []}, "boot: expected a non-empty list of distinct devices"),
        ({"boot": ["hd", "hd"]}, "boot: expected a non-empty list of distinct devices"),
        ({"boot": ["floppy"]}, "boot[0]: expected one of network, hd, cdrom"),
        ({"disks": "vda"}, "disks: expected a list"),
        ({"disks": [{"pool": "p"}]}, "disks[0]: missing key(s) volume, target, bus, format, device, readonly"),
        ({"disks": [disk("v", format="vmdk")]}, "disks[0].format: expected one of qcow2, raw"),
        ({"disks": [disk("v", target="xvda")]}, "disks[0].target: expected a device name"),
        ({"disks": [disk("v"), disk("w")]}, "disks[1].target: 'vda' is used by another disk"),
        ({"disks": [disk("v", device="floppy")]}, "disks[0].device: expected one of disk, cdrom"),
        ({"disks": [disk("v", device="cdrom", target="sda")]}, "disks[0].bus: expected one of sata, scsi"),
        ({"disks": [disk("v", readonly="no")]}, "disks[0].readonly: expected true or false"),
        ({"disks": [disk("")]}, "disks[0].volume: expected a non-empty string"),
        ({"interfaces": [{"type": "network"}]}, "interfaces[0]: missing key(s) source, mac"),
        ({"interfaces": [nic("vhostuser", "x", MAC)]}, "interfaces[0].type: expected one of network"),
        ({"interfaces": [nic("network", "default", "52:54:00:00:00")]}, "interfaces[0].mac: expected a MAC address"),
        ({"interfaces": [nic("network", "default", "52-54-00-00-00-01")]}, "interfaces[0].mac: expected a MAC"),
        (
            {"interfaces": [nic("network", "default", "01:00:5e:00:00:01")]},
            "interfaces[0].mac: 01:00:5e:00:00:01 is a multicast",
        ),
        (
            {"interfaces": [nic("hostdev", "03:10.2", MAC)]},
            "interfaces[0].source: expected a PCI address",
        ),
        ({"interfaces": [nic("hostdev", "0000:03:20.0", MAC)]}, "interfaces[0].source: expected a PCI"),
        ({"interfaces": [nic("bridge", "a-very-long-bridge0", MAC)]}, "is not a Linux interface name"),
        ({"interfaces": [nic("direct", "eth 0", MAC)]}, "interfaces[0].source: 'eth 0' is not a Linux"),
        (
            {"interfaces": [nic("bridge", "br0", MAC, macvlan_mode="vepa")]},
            "only applies to type direct",
        ),
        (
            {"interfaces": [nic("direct", "eth0", MAC, macvlan_mode="x")]},
            "macvlan_mode: expected one of",
        ),
        (
            {"interfaces": [nic("network", "n", MAC, model="e1000")]},
            "interfaces[0].model: expected one",
        ),
        (
            {"interfaces": [nic("network", "n", MAC, vlan=4095)]},
            "interfaces[0].vlan: expected an integer",
        ),
        ({"metadata": {"pool": None}}, "metadata: missing key(s) tags, volumes, request"),
        ({"metadata": {"pool": 3, "tags": [], "volumes": [], "request": {}}}, "metadata.pool: expected a non-empty"),
        ({"metadata": {"pool": None, "tags": "web", "volumes": [], "request": {}}}, "metadata.tags: expected a list"),
        ({"metadata": {"pool": None, "tags": [""], "volumes": [], "request": {}}}, "metadata.tags[0]: expected a non"),
        ({"metadata": {"pool": None, "tags": [], "volumes": [{"pool": "p"}], "request": {}}}, "volumes[0]: missing"),
        ({"metadata": {"pool": None, "tags": [], "volumes": [], "request": []}}, "metadata.request: expected a dict"),
        ({"metadata": {"pool": None, "tags": [], "volumes": [], "request": {"a": {1, 2}}}}, "not JSON-serialisable"),
        ({"console": None}, "console: expected true or false"),
    ],
)
def test_bad_values_name_the_key(given, message):
    fails(pxe_tcg(**given), message)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"guest_numa": [{"id": 0, "cpus": "0-1"}]}, "guest_numa[0]: missing key(s) memory_mib"),
        (
            {"guest_numa": cells((0, "0-1", 2048), (0, "2-3", 2048))},
            "guest_numa[1].id: cell 0 appears twice",
        ),
        (
            {"guest_numa": cells((0, "0-2", 2048), (1, "2-3", 2048))},
            "guest_numa[1].cpus: '2-3' must name vCPUs below 4 that no other cell names",
        ),
        (
            {"guest_numa": cells((0, "0-1", 2048), (1, "2-4", 2048))},
            "guest_numa[1].cpus: '2-4' must name vCPUs below 4",
        ),
        (
            {"guest_numa": cells((0, "0-1", 2048), (2, "2-3", 2048))},
            "guest_numa: cell ids must be 0..1, got [0, 2]",
        ),
        (
            {"guest_numa": cells((0, "0", 2048), (1, "2-3", 2048))},
            "guest_numa: the cells must hold every vCPU 0..3 once, got [0, 2, 3]",
        ),
        (
            {"guest_numa": cells((0, "0-1", 1024), (1, "2-3", 2048))},
            "guest_numa: the cells hold 3072 MiB but the domain has 4096 MiB",
        ),
        ({"memnodes": [{"cellid": 2, "nodeset": "0"}]}, "memnodes[0].cellid: 2 is not a guest_numa cell"),
        (
            {"memnodes": [{"cellid": 0, "nodeset": "0"}, {"cellid": 0, "nodeset": "1"}]},
            "memnodes[1].cellid: 0 is not a guest_numa cell or is bound twice",
        ),
        ({"memnodes": [{"cellid": 0}]}, "memnodes[0]: missing key(s) nodeset"),
        ({"memnodes": [{"cellid": 0, "nodeset": "0", "mode": "any"}]}, "memnodes[0].mode: expected one of strict"),
        ({"hugepages": {"page_size_kib": 2048, "nodeset": "2"}}, "hugepages.nodeset: '2' names guest NUMA cells"),
    ],
)
def test_numa_rules_libvirt_enforces(given, message):
    fails(spanning(**given), message)


def test_memnodes_without_guest_cells():
    fails(kvm_pinned(memnodes=[{"cellid": 0, "nodeset": "1"}]), "memnodes[0].cellid: 0 is not a guest_numa cell")


def test_cdrom_bus_defaults_to_sata_and_disk_bus_to_virtio():
    spec = pxe_tcg(disks=[disk("root", bus=None), disk("seed", "sdb", bus=None, device="cdrom", format="raw")])
    assert "<target dev='vda' bus='virtio'/>" in render_domain(spec)
    assert "<target dev='sdb' bus='sata'/>" in render_domain(spec)


@pytest.mark.parametrize(
    ("text", "ids"),
    [("3", {3}), ("0-1", {0, 1}), ("0-1,4", {0, 1, 4}), ("0,2-3,8-9", {0, 2, 3, 8, 9})],
)
def test_cpuset_ids(text, ids):
    assert cpuset_ids(text) == ids
