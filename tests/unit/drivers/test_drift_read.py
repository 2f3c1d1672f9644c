# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drivers' read path feeds drift.py: a domain or instance we composed, read back, with what discovery saw.

Against the real daemons this is tests/integration/test_libvirt_drift.py and test_lxd_drift.py; here the glue is
checked on data: which disks count as attached, NIC names from the request, the disk shown at the size it is
still counted at, and an LXD volume that lost its device shown again.
"""

from __future__ import annotations

import json

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import discovery
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.domain import parse_domain
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import instances

GB = 10**9
REQUEST = {
    "request": {
        "name": "web",
        "disks": [{"name": "root", "size": GB, "pool": None}, {"name": "data", "size": 2 * GB, "pool": None}],
        "interfaces": [{"name": "eth0"}, {"name": "eth1"}],
    },
    "options": {"boot": "network"},
}
DOMAIN = f"""<domain type='qemu'>
  <name>web</name>
  <metadata>
    <vmfleet:vm xmlns:vmfleet="http://vmfleet.hosts/xmlns/vm/1.0">
      <vmfleet:volumes>
        <vmfleet:volume pool="vms" name="web-root"/>
        <vmfleet:volume pool="vms" name="web-data"/>
      </vmfleet:volumes>
      <vmfleet:request>{json.dumps(REQUEST)}</vmfleet:request>
    </vmfleet:vm>
  </metadata>
  <memory unit='KiB'>131072</memory>
  <vcpu>1</vcpu>
  <cputune><vcpupin vcpu='0' cpuset='5'/></cputune>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>
      <source pool='vms' volume='web-root'/><target dev='vda' bus='virtio'/></disk>
    <disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>
      <source pool='vms' volume='web-data'/><target dev='vdb' bus='virtio'/></disk>
    <interface type='network'><source network='default'/><mac address='52:54:00:00:00:01'/></interface>
    <interface type='network'><source network='lab'/><mac address='52:54:00:00:00:02'/></interface>
    <interface type='bridge'><source bridge='br9'/><mac address='52:54:00:00:00:03'/></interface>
  </devices>
</domain>"""


def test_libvirt_domain_with_a_deleted_volume_a_gone_network_and_an_offline_core():
    vm = parse_domain(DOMAIN, 5, lambda _path: None)
    sizes = {("vms", "web-root"): GB + 512}  # web-data was deleted: the pool no longer lists it
    vm["drift"] = discovery._drift(vm, sizes, {"vms": True}, {"default"}, {0, 1})
    kinds = [(f["kind"], f["what"]) for f in vm["drift"]]
    assert kinds == [("volume_missing", "vms/web-data"), ("network_missing", "lab"), ("core_missing", "5")]
    assert vm["drift"][0]["repair"]["attach"] is False  # the domain still names the volume
    assert "NIC 'eth1'" in vm["drift"][1]["detail"]  # named as asked, not net1; bridge NICs are not judged
    record = discovery._allocation(vm, "kvm-01", [{"node_id": 0}], sizes)
    assert [(d["name"], d["size"]) for d in record["disks"]] == [("root", GB + 512), ("data", 2 * GB)]
    assert [d["kind"] for d in record["drift"]] == ["volume_missing", "network_missing", "core_missing"]
    assert set(record["drift"][0]) == {"kind", "what", "detail", "repairable"}


def test_libvirt_domain_not_composed_by_us_has_no_drift():
    vm = parse_domain(DOMAIN.replace("http://vmfleet.hosts/", "http://example.org/"), 5, None)  # not our namespace
    assert discovery._drift(vm, {}, {}, set(), set()) == []


def lxd_instance(with_data_device=True):
    devices = {
        "root": {"type": "disk", "path": "/", "pool": "default", "size": f"{GB}B"},
        "eth0": {"type": "nic", "network": "lxdbr0", "name": "eth0"},
    }
    if with_data_device:
        devices["data"] = {"type": "disk", "pool": "default", "source": "web-data", "path": "/mnt/data"}
    volumes = [{"pool": "default", "name": "web-root", "root": True}, {"pool": "default", "name": "web-data"}]
    config = {
        "limits.cpu": "1",
        "limits.memory": "128MiB",
        instances.KEY_REQUEST: json.dumps(REQUEST),
        instances.KEY_VOLUMES: json.dumps(volumes),
    }
    raw = {"name": "web", "type": "container", "status": "Stopped", "config": config, "devices": devices}
    return raw


def test_lxd_instance_whose_volume_was_detached_and_deleted():
    entry = instances.parse_instance(lxd_instance(with_data_device=False), {}, 4096)
    entry["drift"] = instances.instance_drift(entry, {}, {"default": True}, {"lxdbr0"}, {0, 1})
    (finding,) = entry["drift"]
    assert finding["kind"] == "volume_missing" and finding["repair"]["attach"] is True
    record = instances.allocation(entry, "lxd-01", [{"node_id": 0, "cpus": [{"id": 0}, {"id": 1}]}])
    # the disk LXD made us detach is shown again, at the size it still counts at
    assert [(d["name"], d["pool"], d["size"]) for d in record["disks"]] == [
        ("root", "default", GB),
        ("data", "default", 2 * GB),
    ]
    assert record["drift"] == [
        {"kind": "volume_missing", "what": "default/web-data", "detail": finding["detail"], "repairable": True}
    ]


def test_lxd_instance_as_composed_and_one_detached():
    sizes = {("default", "web-data"): 2 * GB}
    healthy = instances.parse_instance(lxd_instance(), sizes, 4096)
    assert instances.instance_drift(healthy, sizes, {"default": True}, {"lxdbr0"}, {0}) == []
    detached = instances.parse_instance(lxd_instance(with_data_device=False), sizes, 4096)
    (finding,) = instances.instance_drift(detached, sizes, {"default": True}, {"lxdbr0"}, {0})
    assert finding["kind"] == "volume_detached" and not finding["repairable"]
