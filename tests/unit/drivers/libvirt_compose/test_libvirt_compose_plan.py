"""From an allocation to libvirt: the domain spec and volumes (pure translation, validated by the renderer)."""

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.fit import fit
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.compose_plan import (
    disk_target,
    new_vm,
    public_options,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_request

MIB = 1024**2


class Inventory:
    """The few attributes of a discovered host the planner reads."""

    def __init__(self, record, domain_types=("qemu", "kvm"), free_vfs=None):
        self.record = record
        self.capabilities = {"domain_types": list(domain_types), "emulator": "/usr/bin/qemu-system-x86_64"}
        self.free_vfs = free_vfs or {}


def record(nodes=2):
    return {
        "name": "kvm-01",
        "numa": [
            {
                "node_id": n,
                "cpus": [{"id": n * 4 + i, "core": n * 4 + i} for i in range(4)],
                "memory": {"total": 4096, "hugepages": [{"page_size": 2 * MIB, "total": 1024}]},
            }
            for n in range(nodes)
        ],
        "storage_pools": [{"name": "default", "type": "dir", "total": 10**12, "used": 0, "default": True}],
        "default_storage_pool": "default",
        "interfaces": [
            {"name": "default", "type": "network", "networks": ["default"], "default": True},
            {"name": "br0", "type": "bridge", "spaces": ["lan"]},
            {"name": "enp1", "type": "physical", "numa_node": 1, "sriov_max_vf": 2, "spaces": ["fabric"]},
        ],
        "vms": [],
    }


OPTIONS = {"boot": "network", "cpu_disabled_features": [], "image": None, "cloud_init": None}


def plan_for(inventory, **request):
    req = parse_request({"name": "vm1", **request}, "")
    alloc = fit(parse_host(inventory.record), req)
    return new_vm(inventory, alloc, req, dict(OPTIONS)), alloc


def test_tcg_when_the_host_offers_no_kvm():
    plan, _alloc = plan_for(Inventory(record(), domain_types=("qemu",)))
    root = ET.fromstring(plan["xml"])
    assert root.get("type") == "qemu" and root.find("cpu") is None
    plan, _alloc = plan_for(Inventory(record()))
    root = ET.fromstring(plan["xml"])
    assert root.get("type") == "kvm" and root.find("cpu").get("mode") == "host-passthrough"


def test_pinned_hugepage_vm_on_one_node():
    plan, alloc = plan_for(Inventory(record()), cores=2, pinned_cores="auto", memory=1024, hugepages_backed=True)
    root = ET.fromstring(plan["xml"])
    pins = {p.get("vcpu"): p.get("cpuset") for p in root.findall("./cputune/vcpupin")}
    assert pins == {"0": str(alloc["pinned_cores"][0]), "1": str(alloc["pinned_cores"][1])}
    assert root.find("./numatune/memory").attrib == {"mode": "strict", "nodeset": "0"}
    assert root.find("./memoryBacking/hugepages/page").get("size") == "2048"
    assert root.find("./cpu/numa") is None  # one node: no guest cells


def test_spanning_vm_gets_guest_cells_bound_to_its_host_nodes():
    plan, alloc = plan_for(Inventory(record()), cores=6, pinned_cores="auto", memory=3072, hugepages_backed=True)
    assert alloc["numanode_set"] == [0, 1]
    root = ET.fromstring(plan["xml"])
    cells = root.findall("./cpu/numa/cell")
    assert {c.get("unit") for c in cells} == {"MiB"} and sum(int(c.get("memory")) for c in cells) == 3072
    assert {m.get("cellid"): m.get("nodeset") for m in root.findall("./numatune/memnode")} == {"0": "0", "1": "1"}
    covered = sorted(int(v) for c in cells for v in _expand(c.get("cpus")))
    assert covered == list(range(6))


def _expand(cpuset):
    out = []
    for part in cpuset.split(","):
        lo, _sep, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def test_nic_kinds_and_stable_macs():
    inventory = Inventory(record(), free_vfs={"enp1": ["0000:03:10.2", "0000:03:10.4"]})
    plan, _alloc = plan_for(
        inventory,
        interfaces="eth0:;eth1:space=lan;eth2:space=fabric,mode=macvlan;eth3:space=fabric,mode=sriov",
    )
    nics = plan["spec"]["interfaces"]
    assert [n["type"] for n in nics] == ["network", "bridge", "direct", "hostdev"]
    assert [n["source"] for n in nics] == ["default", "br0", "enp1", "0000:03:10.2"]
    again, _alloc = plan_for(
        inventory, interfaces="eth0:;eth1:space=lan;eth2:space=fabric,mode=macvlan;eth3:space=fabric,mode=sriov"
    )
    assert [n["mac"] for n in nics] == [n["mac"] for n in again["spec"]["interfaces"]]
    assert len({n["mac"] for n in nics}) == 4


def test_sriov_without_a_free_vf_listed_by_libvirt_is_an_error():
    with pytest.raises(DriverError, match="libvirt lists no free VF of enp1"):
        plan_for(Inventory(record()), interfaces="eth0:mode=sriov")


def test_volumes_are_named_for_the_vm_and_disk():
    plan, _alloc = plan_for(Inventory(record()), storage="root:20,data:100")
    assert [(v["name"], v["target"], v["format"]) for v in plan["volumes"]] == [
        ("vm1-root", "vda", "qcow2"),
        ("vm1-data", "vdb", "qcow2"),
    ]
    assert plan["spec"]["metadata"]["volumes"] == [
        {"pool": "default", "name": "vm1-root"},
        {"pool": "default", "name": "vm1-data"},
    ]


def test_disk_targets():
    assert [disk_target(i) for i in (0, 1, 25, 26, 27)] == ["vda", "vdb", "vdz", "vdaa", "vdab"]


def test_cloud_init_settings_never_reach_the_stored_options():
    options = dict(OPTIONS, cloud_init="digest", cloud_init_settings={"user_data": {"password": "x"}})
    assert public_options(options) == dict(OPTIONS, cloud_init="digest")


def test_accelerator_choice():
    inventory = Inventory(record())
    req = parse_request({"name": "vm1"}, "")
    alloc = fit(parse_host(inventory.record), req)
    tcg = new_vm(inventory, alloc, req, dict(OPTIONS, accelerator="tcg"))
    assert ET.fromstring(tcg["xml"]).get("type") == "qemu"
    with pytest.raises(DriverError, match="accelerator: kvm is not offered"):
        new_vm(Inventory(record(), domain_types=("qemu",)), alloc, req, dict(OPTIONS, accelerator="kvm"))
