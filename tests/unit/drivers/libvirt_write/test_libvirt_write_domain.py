# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every spec field reaches the domain XML, escaped; bad specs fail with the key named."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.metadata import VMFLEET_NS
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write import domain as domain_module
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.domain import render_domain
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.errors import RenderError

from libvirt_write_specs import SPECS, all_nics, cdrom_seed, kvm_pinned, nic, pxe_tcg, spanning, spanning_tcg

NS = {"vmfleet": VMFLEET_NS}


def render(spec):
    return ET.fromstring(render_domain(spec))


def attrs(element):
    return dict(element.attrib)


def test_pxe_tcg_minimal():
    root = render(pxe_tcg())
    assert root.tag == "domain"
    assert root.get("type") == "qemu"
    assert root.findtext("name") == "pxe-1"
    assert root.find("uuid") is None
    assert root.find("devices/emulator") is None
    assert attrs(root.find("os/type")) == {"arch": "x86_64"}
    assert root.findtext("os/type") == "hvm"
    assert [boot.get("dev") for boot in root.findall("os/boot")] == ["network", "hd"]
    assert root.find("cpu") is None
    assert root.find("cputune") is None
    assert root.find("numatune") is None
    assert root.find("memoryBacking") is None
    assert root.findall("devices/disk") == []
    assert attrs(root.find("vcpu")) == {"placement": "static"}
    assert root.findtext("vcpu") == "1"
    assert (root.findtext("memory"), root.find("memory").get("unit")) == ("512", "MiB")
    assert (root.findtext("currentMemory"), root.find("currentMemory").get("unit")) == ("512", "MiB")
    assert root.find("metadata/vmfleet:vm/vmfleet:pool", NS) is None


def test_fixed_parts():
    root = render(pxe_tcg())
    assert [child.tag for child in root.find("features")] == ["acpi", "apic"]
    assert attrs(root.find("clock")) == {"offset": "utc"}
    assert (root.findtext("on_poweroff"), root.findtext("on_reboot"), root.findtext("on_crash")) == (
        "destroy",
        "restart",
        "destroy",
    )
    assert attrs(root.find("devices/serial")) == {"type": "pty"}
    assert attrs(root.find("devices/console")) == {"type": "pty"}
    assert attrs(root.find("devices/console/target")) == {"type": "serial", "port": "0"}
    assert attrs(root.find("devices/rng")) == {"model": "virtio"}
    assert (root.find("devices/rng/backend").get("model"), root.findtext("devices/rng/backend")) == (
        "random",
        "/dev/urandom",
    )
    assert attrs(root.find("devices/memballoon")) == {"model": "virtio"}
    assert root.find("devices/graphics") is None
    assert root.find("devices/video") is None


def test_console_false_drops_serial_and_console():
    root = render(pxe_tcg(console=False))
    assert root.find("devices/serial") is None
    assert root.find("devices/console") is None


def test_kvm_pinned():
    spec = kvm_pinned()
    root = render(spec)
    assert root.get("type") == "kvm"
    assert root.findtext("uuid") == spec["uuid"]
    assert root.findtext("devices/emulator") == "/usr/bin/qemu-system-x86_64"
    assert attrs(root.find("os/type")) == {"arch": "x86_64", "machine": "q35"}
    assert [boot.get("dev") for boot in root.findall("os/boot")] == ["hd"]
    assert attrs(root.find("cpu")) == {"mode": "host-passthrough", "check": "none"}
    assert list(root.find("cpu")) == []
    assert [attrs(pin) for pin in root.findall("cputune/vcpupin")] == [
        {"vcpu": "0", "cpuset": "2"},
        {"vcpu": "1", "cpuset": "3"},
    ]
    assert attrs(root.find("cputune/emulatorpin")) == {"cpuset": "2-3"}
    assert attrs(root.find("numatune/memory")) == {"mode": "strict", "nodeset": "1"}
    assert root.findall("numatune/memnode") == []
    # No guest NUMA cells: the page nodeset (guest cells in libvirt's terms) is left out, numatune picks the node.
    assert attrs(root.find("memoryBacking/hugepages/page")) == {"size": "2048", "unit": "KiB"}
    assert root.findtext("vcpu") == "2"


def test_disks():
    root = render(cdrom_seed())
    first, second = root.findall("devices/disk")
    assert attrs(first) == {"type": "volume", "device": "disk"}
    assert attrs(first.find("driver")) == {"name": "qemu", "type": "qcow2"}
    assert attrs(first.find("source")) == {"pool": "default", "volume": "seed-1-root"}
    assert attrs(first.find("target")) == {"dev": "vda", "bus": "virtio"}
    assert first.find("readonly") is None
    assert attrs(second) == {"type": "volume", "device": "cdrom"}
    assert attrs(second.find("driver")) == {"name": "qemu", "type": "raw"}
    assert attrs(second.find("source")) == {"pool": "default", "volume": "seed-1-seed"}
    assert attrs(second.find("target")) == {"dev": "sda", "bus": "sata"}
    assert second.find("readonly") is not None
    assert attrs(root.find("os/type"))["machine"] == "pc"


def test_max_memory_grows_memory_not_current():
    root = render(cdrom_seed())
    assert root.findtext("memory") == "4096"
    assert root.findtext("currentMemory") == "2048"


def test_spanning_guest_numa_and_memnodes():
    root = render(spanning())
    cells = root.findall("cpu/numa/cell")
    assert [attrs(cell) for cell in cells] == [
        {"id": "0", "cpus": "0-1", "memory": "2048", "unit": "MiB"},
        {"id": "1", "cpus": "2-3", "memory": "2048", "unit": "MiB"},
    ]
    assert root.find("cpu").get("mode") == "host-passthrough"
    assert attrs(root.find("numatune/memory")) == {"mode": "strict", "nodeset": "0-1"}
    assert [attrs(memnode) for memnode in root.findall("numatune/memnode")] == [
        {"cellid": "0", "mode": "strict", "nodeset": "0"},
        {"cellid": "1", "mode": "strict", "nodeset": "1"},
    ]
    assert attrs(root.find("memoryBacking/hugepages/page")) == {"size": "2048", "unit": "KiB", "nodeset": "0-1"}
    assert attrs(root.find("cputune/emulatorpin")) == {"cpuset": "0-1,4-5"}
    assert len(root.findall("cputune/vcpupin")) == 4


def test_cpu_disabled_features():
    cpu = render(spanning()).find("cpu")
    assert [attrs(feature) for feature in cpu.findall("feature")] == [
        {"policy": "disable", "name": "arch-capabilities"}
    ]
    cpu = render(kvm_pinned(cpu_disabled_features=["arch-capabilities", "x2apic"])).find("cpu")
    assert attrs(cpu) == {"mode": "host-passthrough", "check": "none"}
    assert [feature.get("name") for feature in cpu.findall("feature")] == ["arch-capabilities", "x2apic"]
    assert cpu.find("numa") is None


def test_guest_numa_under_tcg_has_cpu_without_mode():
    root = render(spanning_tcg())
    assert attrs(root.find("cpu")) == {}
    assert len(root.findall("cpu/numa/cell")) == 2
    assert root.find("numatune") is None


def test_memnode_mode_given_explicitly():
    spec = spanning(memnodes=[{"cellid": 0, "nodeset": "0", "mode": "preferred"}])
    assert attrs(render(spec).find("numatune/memnode"))["mode"] == "preferred"


def test_all_four_nic_types():
    root = render(all_nics())
    network, bridge, direct, passthrough, hostdev = root.findall("devices/interface")
    assert attrs(network) == {"type": "network"}
    assert attrs(network.find("source")) == {"network": "default"}
    assert attrs(network.find("mac")) == {"address": "52:54:00:00:01:01"}
    assert attrs(network.find("model")) == {"type": "virtio"}
    assert network.find("vlan") is None
    assert attrs(bridge) == {"type": "bridge"}
    assert attrs(bridge.find("source")) == {"bridge": "br0"}
    assert attrs(direct) == {"type": "direct"}
    assert attrs(direct.find("source")) == {"dev": "eth0", "mode": "bridge"}
    assert attrs(passthrough.find("source")) == {"dev": "eth1", "mode": "passthrough"}
    assert [attrs(tag) for tag in passthrough.findall("vlan/tag")] == [{"id": "30"}]
    assert attrs(hostdev) == {"type": "hostdev", "managed": "yes"}
    assert attrs(hostdev.find("mac")) == {"address": "52:54:00:00:01:05"}
    assert attrs(hostdev.find("source/address")) == {
        "type": "pci",
        "domain": "0x0000",
        "bus": "0x03",
        "slot": "0x10",
        "function": "0x2",
    }
    assert hostdev.find("model") is None
    assert [attrs(tag) for tag in hostdev.findall("vlan/tag")] == [{"id": "42"}]


def test_direct_without_mode_leaves_libvirt_default():
    spec = pxe_tcg(interfaces=[nic("direct", "eth0", "52:54:00:00:00:09")])
    assert attrs(render(spec).find("devices/interface/source")) == {"dev": "eth0"}


def test_model_left_out_when_none_and_for_hostdev():
    spec = pxe_tcg(
        interfaces=[
            nic("network", "default", "52:54:00:00:00:0a", model=None),
            nic("hostdev", "0000:81:00.1", "52:54:00:00:00:0b"),
        ]
    )
    assert render(spec).findall("devices/interface/model") == []


def test_mac_is_lowercased():
    spec = pxe_tcg(interfaces=[nic("network", "default", "52:54:00:AB:CD:EF")])
    assert render(spec).find("devices/interface/mac").get("address") == "52:54:00:ab:cd:ef"


def test_metadata_element():
    spec = kvm_pinned()
    spec["metadata"]["request"] = {"name": "db-1", "cores": 2, "tags": ["b", "a"], "extra": {"z": 1, "y": None}}
    root = render(spec)
    (vm,) = root.find("metadata")
    assert vm.tag == f"{{{VMFLEET_NS}}}vm"
    assert vm.findtext("vmfleet:pool", namespaces=NS) == "default"
    assert [tag.text for tag in vm.findall("vmfleet:tags/vmfleet:tag", NS)] == ["web"]
    assert [attrs(volume) for volume in vm.findall("vmfleet:volumes/vmfleet:volume", NS)] == [
        {"pool": "default", "name": "db-1-root"},
        {"pool": "default", "name": "db-1-data"},
    ]
    text = vm.findtext("vmfleet:request", namespaces=NS)
    assert text == '{"cores":2,"extra":{"y":null,"z":1},"name":"db-1","tags":["b","a"]}'
    assert json.loads(text) == spec["metadata"]["request"]
    assert "xmlns:vmfleet='http://vmfleet.hosts/xmlns/vm/1.0'" in render_domain(spec)


def test_metadata_empty_lists_keep_their_elements():
    vm = render(pxe_tcg()).find("metadata/vmfleet:vm", NS)
    assert vm.find("vmfleet:tags", NS) is not None
    assert vm.findall("vmfleet:tags/vmfleet:tag", NS) == []
    assert vm.findall("vmfleet:volumes/vmfleet:volume", NS) == []


NASTY = "a<b&\"c'</vmfleet:tag><injected/>"


def test_tags_names_and_request_cannot_inject_xml():
    spec = kvm_pinned(name=NASTY.replace("/", ""))
    spec["metadata"]["tags"] = ['a<b&"c', NASTY]
    spec["metadata"]["pool"] = NASTY
    spec["metadata"]["volumes"] = [{"pool": NASTY, "name": NASTY}]
    spec["metadata"]["request"] = {NASTY: NASTY}
    spec["disks"][0]["volume"] = NASTY
    spec["interfaces"][0]["source"] = "br<0>"
    root = render(spec)
    assert root.findtext("name") == NASTY.replace("/", "")
    vm = root.find("metadata/vmfleet:vm", NS)
    assert [tag.text for tag in vm.findall("vmfleet:tags/vmfleet:tag", NS)] == ['a<b&"c', NASTY]
    assert vm.findtext("vmfleet:pool", namespaces=NS) == NASTY
    assert attrs(vm.find("vmfleet:volumes/vmfleet:volume", NS)) == {"pool": NASTY, "name": NASTY}
    assert json.loads(vm.findtext("vmfleet:request", namespaces=NS)) == {NASTY: NASTY}
    assert root.find("devices/disk/source").get("volume") == NASTY
    assert root.find("devices/interface/source").get("bridge") == "br<0>"
    assert not [element for element in root.iter() if element.tag.endswith("injected")]
    assert [child.tag.split("}")[-1] for child in vm] == ["pool", "tags", "volumes", "request"]


def test_non_ascii_names_survive():
    spec = pxe_tcg()
    spec["metadata"]["tags"] = ["café", "数据"]
    spec["metadata"]["request"] = {"owner": "zoë"}
    vm = render(spec).find("metadata/vmfleet:vm", NS)
    assert [tag.text for tag in vm.findall("vmfleet:tags/vmfleet:tag", NS)] == ["café", "数据"]
    assert json.loads(vm.findtext("vmfleet:request", namespaces=NS)) == {"owner": "zoë"}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_sample_spec_is_well_formed_and_deterministic(name):
    assert render_domain(SPECS[name]()) == render_domain(SPECS[name]())
    ET.fromstring(render_domain(SPECS[name]()))


def test_missing_jinja2_is_a_clear_render_error(monkeypatch):
    monkeypatch.setattr(domain_module, "_COMPILED", {})
    monkeypatch.setitem(sys.modules, "jinja2", None)
    monkeypatch.setitem(sys.modules, "jinja2.sandbox", None)
    with pytest.raises(RenderError, match="the jinja2 Python library is required on the host running the module"):
        render_domain(pxe_tcg())


def test_environment_is_sandboxed_autoescaping_and_strict():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    render_domain(pxe_tcg())
    environment = domain_module._COMPILED["domain"].environment
    assert isinstance(environment, SandboxedEnvironment)
    assert environment.autoescape is True
    assert environment.undefined is StrictUndefined
    assert environment.trim_blocks and environment.lstrip_blocks
