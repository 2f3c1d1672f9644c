# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Domain specs as the libvirt driver builds them, for the XML writer's tests."""

from __future__ import annotations

import shutil
import subprocess

VALIDATOR = "/usr/bin/virt-xml-validate"
VIRSH = shutil.which("virsh") or "/usr/bin/virsh"


def metadata(**given):
    record = {
        "pool": "default",
        "tags": ["web"],
        "volumes": [{"pool": "default", "name": "web-1-root"}],
        "request": {"name": "web-1", "cores": 1, "memory": 1024},
    }
    record.update(given)
    return record


def disk(volume, target="vda", **given):
    record = {
        "pool": "default",
        "volume": volume,
        "target": target,
        "bus": "virtio",
        "format": "qcow2",
        "device": "disk",
        "readonly": False,
    }
    record.update(given)
    return record


def nic(nic_type, source, mac, **given):
    record = {"type": nic_type, "source": source, "mac": mac, "model": "virtio", "vlan": None, "macvlan_mode": None}
    record.update(given)
    return record


def pxe_tcg(**given):
    """The smallest spec: a TCG VM booting from the network with one NIC and no disk."""
    spec = {
        "name": "pxe-1",
        "uuid": None,
        "domain_type": "qemu",
        "emulator": None,
        "arch": "x86_64",
        "machine": None,
        "cpu_mode": None,
        "vcpus": 1,
        "vcpupin": [],
        "emulatorpin": None,
        "numatune": None,
        "guest_numa": [],
        "memnodes": [],
        "memory_mib": 512,
        "max_memory_mib": None,
        "hugepages": None,
        "boot": ["network", "hd"],
        "disks": [],
        "interfaces": [nic("network", "default", "52:54:00:00:00:01")],
        "metadata": metadata(pool=None, tags=[], volumes=[], request={"name": "pxe-1"}),
        "console": True,
    }
    spec.update(given)
    return spec


def kvm_pinned(**given):
    """A KVM VM with two pinned cores on host node 1, strict numatune and 2 MiB hugepages."""
    spec = pxe_tcg(
        name="db-1",
        uuid="3c5f2a9e-1f2b-4c3d-8e9f-0a1b2c3d4e5f",
        domain_type="kvm",
        emulator="/usr/bin/qemu-system-x86_64",
        machine="q35",
        cpu_mode="host-passthrough",
        vcpus=2,
        vcpupin=[[0, "2"], [1, "3"]],
        emulatorpin="2-3",
        numatune={"mode": "strict", "nodeset": "1"},
        memory_mib=2048,
        hugepages={"page_size_kib": 2048, "nodeset": "0"},
        boot=["hd"],
        disks=[disk("db-1-root"), disk("db-1-data", "vdb", format="raw")],
        interfaces=[nic("bridge", "br0", "52:54:00:00:00:02")],
        metadata=metadata(volumes=[{"pool": "default", "name": "db-1-root"}, {"pool": "default", "name": "db-1-data"}]),
    )
    spec.update(given)
    return spec


def spanning(**given):
    """A KVM VM of four pinned cores over host nodes 0 and 1: two guest cells, each bound to its host node.

    It also masks a CPU flag, as needed where nested KVM refuses the arch-capabilities MSR.
    """
    spec = kvm_pinned(
        name="big-1",
        cpu_disabled_features=["arch-capabilities"],
        uuid=None,
        vcpus=4,
        vcpupin=[[0, "0"], [1, "1"], [2, "4"], [3, "5"]],
        emulatorpin="0-1,4-5",
        numatune={"mode": "strict", "nodeset": "0-1"},
        guest_numa=[{"id": 0, "cpus": "0-1", "memory_mib": 2048}, {"id": 1, "cpus": "2-3", "memory_mib": 2048}],
        memnodes=[{"cellid": 0, "nodeset": "0"}, {"cellid": 1, "nodeset": "1"}],
        memory_mib=4096,
        hugepages={"page_size_kib": 2048, "nodeset": "0-1"},
    )
    spec.update(given)
    return spec


def spanning_tcg(**given):
    """Guest NUMA cells under TCG: a <cpu> element with only <numa> inside."""
    spec = spanning(
        name="big-tcg",
        cpu_disabled_features=[],
        domain_type="qemu",
        emulator=None,
        cpu_mode=None,
        vcpupin=[],
        emulatorpin=None,
        hugepages=None,
        memnodes=[],
        numatune=None,
    )
    spec.update(given)
    return spec


def all_nics(**given):
    """One NIC of each type, VLANs where libvirt can apply them (hostdev, macvtap passthrough)."""
    spec = kvm_pinned(
        name="nics-1",
        interfaces=[
            nic("network", "default", "52:54:00:00:01:01"),
            nic("bridge", "br0", "52:54:00:00:01:02"),
            nic("direct", "eth0", "52:54:00:00:01:03", macvlan_mode="bridge"),
            nic("direct", "eth1", "52:54:00:00:01:04", macvlan_mode="passthrough", vlan=30),
            nic("hostdev", "0000:03:10.2", "52:54:00:00:01:05", model=None, vlan=42),
        ],
    )
    spec.update(given)
    return spec


def cdrom_seed(**given):
    """An image-booted VM with a cloud-init seed ISO on a read-only SATA CD-ROM; memory can grow to 4 GiB."""
    spec = kvm_pinned(
        name="seed-1",
        machine="pc",
        vcpupin=[],
        emulatorpin=None,
        numatune=None,
        hugepages=None,
        max_memory_mib=4096,
        disks=[
            disk("seed-1-root"),
            disk("seed-1-seed", "sda", bus=None, format="raw", device="cdrom", readonly=True),
        ],
    )
    spec.update(given)
    return spec


SPECS = {
    "pxe_tcg": pxe_tcg,
    "kvm_pinned": kvm_pinned,
    "spanning": spanning,
    "spanning_tcg": spanning_tcg,
    "all_nics": all_nics,
    "cdrom_seed": cdrom_seed,
}


def run(*argv):
    """Run a command; the result carries returncode, stdout and stderr as text."""
    return subprocess.run(list(argv), capture_output=True, text=True, check=False, timeout=120)


def explain(result):
    return f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
