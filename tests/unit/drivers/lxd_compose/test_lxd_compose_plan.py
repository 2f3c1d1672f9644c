# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""From an allocation to LXD: instance bodies and custom volumes, and the body read back as the same allocation."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.fit import fit
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.compose_plan import (
    compose_options,
    new_instance,
    updated_config,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.instances import (
    allocation,
    format_limits_cpu,
    parse_instance,
    parse_limits_cpu,
    parse_size,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.macs import stable_mac
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_request

MIB = 1024**2


def record(nodes=2):
    return {
        "name": "lxd-01",
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
            {
                "name": "lxdbr0",
                "type": "network",
                "networks": ["lxdbr0"],
                "default": True,
                "vlans": [10],
                "subnets": ["10.0.0.0/24"],
            },
            {"name": "br0", "type": "bridge", "spaces": ["lan"], "vlans": [20]},
            {"name": "eth0", "type": "physical", "spaces": ["uplink"]},
            {"name": "enp1", "type": "physical", "numa_node": 1, "sriov_max_vf": 2, "spaces": ["fabric"]},
        ],
        "vms": [],
    }


def params(**given):
    base = {"boot": "image", "image": {"alias": "debian/12"}, "instance_type": "container"}
    return {**base, **given}


def plan_for(host=None, cloud=None, option_params=None, **request):
    host = host or record()
    req = parse_request({"name": "c1", **request}, "")
    alloc = fit(parse_host(host), req)
    given = option_params or params()
    options = {"boot": given["boot"], **compose_options(given), "cloud_init": None}
    options["cloud_init_settings"] = cloud
    return new_instance(host, alloc, req, options), alloc, req, options


def test_container_body_counts_memory_root_and_extra_disk():
    plan, alloc, _req, _opts = plan_for(cores=2, memory=512, storage="root:10,data:20")
    body = plan["body"]
    assert body["type"] == "container" and body["profiles"] == []
    assert body["source"] == {"type": "image", "alias": "debian/12"}
    assert body["config"]["limits.cpu"] == "2"
    assert body["config"]["limits.memory"] == "512MiB"
    assert body["devices"]["root"] == {"type": "disk", "path": "/", "pool": "default", "size": "10000000000B"}
    assert body["devices"]["data"] == {"type": "disk", "pool": "default", "source": "c1-data", "path": "/mnt/data"}
    assert plan["volumes"] == [{"pool": "default", "name": "c1-data", "size": 20 * 10**9, "content_type": "filesystem"}]
    owned = json.loads(body["config"]["user.vmfleet.volumes"])
    assert owned == [{"pool": "default", "name": "c1-root", "root": True}, {"pool": "default", "name": "c1-data"}]
    assert plan["owned"] == owned


def test_pinned_cores_are_a_cpuset_and_one_core_is_not_a_count():
    plan, alloc, _req, _opts = plan_for(cores=1, pinned_cores="auto", memory=256)
    (core,) = alloc["pinned_cores"]
    assert plan["body"]["config"]["limits.cpu"] == f"{core}-{core}"
    placement = json.loads(plan["body"]["config"]["user.vmfleet.placement"])
    assert placement["numanode_set"] == alloc["numanode_set"] == [core // 4]
    plan, alloc, _req, _opts = plan_for(cores=3, pinned_cores=[0, 1, 3], memory=256)
    assert plan["body"]["config"]["limits.cpu"] == "0-1,3"


@pytest.mark.parametrize(
    "cores, pinned, text", [(2, [], "2"), (1, [5], "5-5"), (4, [0, 1, 2, 3], "0-3"), (2, [1, 7], "1,7")]
)
def test_limits_cpu_round_trip(cores, pinned, text):
    assert format_limits_cpu(cores, pinned) == text
    assert parse_limits_cpu(text, "x") == (cores, pinned)


def test_hugepages_container_limit_and_vm_backing():
    plan, alloc, _req, _opts = plan_for(memory=64, hugepages_backed=True, hugepage_size="2M")
    config = plan["body"]["config"]
    assert config["limits.hugepages.2MB"] == "64MiB" and "limits.memory.hugepages" not in config
    vm_params = params(instance_type="virtual-machine", boot="network", image=None)
    plan, _alloc, _req, _opts = plan_for(option_params=vm_params, memory=64, hugepages_backed=True, hugepage_size="2M")
    assert plan["body"]["config"]["limits.memory.hugepages"] == "true"
    assert not any(key.startswith("limits.hugepages.") for key in plan["body"]["config"])


def test_vm_network_boot_puts_nics_before_the_disk():
    vm_params = params(instance_type="virtual-machine", boot="network", image=None)
    req = parse_request({"name": "v1", "storage": "root:8,data:4", "interfaces": "eth0:;eth1:space=lan"}, "")
    alloc = fit(parse_host(record()), req)
    options = {"boot": "network", **compose_options(vm_params), "cloud_init": None, "cloud_init_settings": None}
    plan = new_instance(record(), alloc, req, options)
    devices = plan["body"]["devices"]
    assert plan["body"]["source"] == {"type": "none"} and plan["body"]["type"] == "virtual-machine"
    assert (
        int(devices["eth0"]["boot.priority"])
        > int(devices["eth1"]["boot.priority"])
        > int(devices["root"]["boot.priority"])
    )
    assert "path" not in devices["data"]  # a VM's custom volume is a block device
    assert plan["volumes"][0]["content_type"] == "block"
    assert "cloud-init.user-data" not in plan["body"]["config"]


def test_nic_kinds_vlan_and_stable_macs():
    plan, alloc, _req, _opts = plan_for(
        interfaces=[
            {"name": "eth0", "network": "lxdbr0", "vlan": 10},
            {"name": "eth1", "space": "lan", "vlan": 20},
            {"name": "eth2", "mode": "macvlan", "space": "uplink"},
            {"name": "eth3", "mode": "sriov", "space": "fabric"},
        ]
    )
    devices = plan["body"]["devices"]
    mac = {n: stable_mac("lxd-01", "c1", n) for n in ("eth0", "eth1", "eth2", "eth3")}
    assert devices["eth0"] == {"type": "nic", "name": "eth0", "network": "lxdbr0", "vlan": "10", "hwaddr": mac["eth0"]}
    assert devices["eth1"] == {
        "type": "nic",
        "name": "eth1",
        "nictype": "bridged",
        "parent": "br0",
        "vlan": "20",
        "hwaddr": mac["eth1"],
    }
    assert devices["eth2"] == {
        "type": "nic",
        "name": "eth2",
        "nictype": "macvlan",
        "parent": "eth0",
        "hwaddr": mac["eth2"],
    }
    assert devices["eth3"] == {
        "type": "nic",
        "name": "eth3",
        "nictype": "sriov",
        "parent": "enp1",
        "hwaddr": mac["eth3"],
    }
    assert plan["interfaces"] == [{"name": n, "mac": mac[n]} for n in ("eth0", "eth1", "eth2", "eth3")]
    again, _alloc, _req, _opts = plan_for(interfaces=[{"name": "eth0", "network": "lxdbr0", "vlan": 10}])
    assert again["body"]["devices"]["eth0"]["hwaddr"] == mac["eth0"]


def test_cloud_init_user_data_network_config_and_only_a_digest_stored():
    cloud = {"user_data": {"packages": ["nginx"]}, "ssh_authorized_keys": ["ssh-ed25519 AAAA k"], "hostname": "web"}
    plan, _alloc, _req, _opts = plan_for(
        cloud=cloud, interfaces=[{"name": "eth0", "network": "lxdbr0", "ip": "10.0.0.5", "subnet": "10.0.0.0/24"}]
    )
    config = plan["body"]["config"]
    user_data = config["cloud-init.user-data"]
    assert user_data.startswith("#cloud-config\n")
    parsed = json.loads(user_data.split("\n", 1)[1])
    assert parsed == {"packages": ["nginx"], "ssh_authorized_keys": ["ssh-ed25519 AAAA k"], "hostname": "web"}
    network = json.loads(config["cloud-init.network-config"])
    assert network["ethernets"]["eth0"]["addresses"] == ["10.0.0.5/24"]
    assert "nginx" not in config["user.vmfleet.request"]


def test_options_refused_with_the_option_named():
    with pytest.raises(SpecError, match="instance_type.*boot: network"):
        compose_options(params(boot="network", image=None))
    with pytest.raises(SpecError, match="^accelerator"):
        compose_options(params(accelerator="kvm"))
    with pytest.raises(SpecError, match="^cpu_disabled_features"):
        compose_options(params(cpu_disabled_features=["x2apic"]))
    with pytest.raises(SpecError, match="^image.*pool, volume.*does not use"):
        compose_options(params(image={"pool": "p", "volume": "v"}))
    with pytest.raises(SpecError, match="^image.*required with boot: image"):
        compose_options(params(image=None))
    with pytest.raises(SpecError, match="^image.*only used with boot: image"):
        compose_options(params(instance_type="virtual-machine", boot="network"))
    assert compose_options(params(accelerator="auto", cpu_disabled_features=[]))["instance_type"] == "container"
    assert compose_options({"boot": "network"})["instance_type"] == "virtual-machine"


def test_macvlan_modes_other_than_bridge_are_refused():
    with pytest.raises(SpecError, match="bridge mode only"):
        plan_for(interfaces=[{"name": "eth0", "mode": "macvlan", "space": "uplink", "macvlan_mode": "vepa"}])


def _as_lxd_returns(plan, status="Stopped"):
    """The instance as GET /1.0/instances/<name> gives it back for the body we sent."""
    body = plan["body"]
    config = dict(body["config"], **{"volatile.uuid": "u-1"})
    return {
        "name": body["name"],
        "type": body["type"],
        "status": status,
        "profiles": [],
        "config": config,
        "expanded_config": config,
        "devices": body["devices"],
        "expanded_devices": body["devices"],
    }


def test_read_back_gives_the_allocation_that_was_made():
    host = record()
    plan, alloc, req, _opts = plan_for(
        host,
        cores=2,
        pinned_cores="auto",
        memory=512,
        hugepages_backed=True,
        hugepage_size="2M",
        storage="root:10,data:20",
        interfaces=[{"name": "eth0", "network": "lxdbr0"}, {"name": "eth1", "space": "lan"}],
        tags=["web"],
    )
    sizes = {("default", "c1-data"): 20 * 10**9}
    entry = parse_instance(_as_lxd_returns(plan, "Running"), sizes)
    assert entry["metadata"]["managed"] is True and entry["metadata"]["request"]["request"] == req
    back = allocation(entry, "lxd-01", host["numa"])
    for key in ("cores", "pinned_cores", "memory", "hugepages_backed", "hugepages", "numanode_set", "disks", "tags"):
        assert back[key] == alloc[key], key
    assert back["power_state"] == "running"
    assert [(n["name"], n["mode"], n["host_interface"]) for n in back["interfaces"]] == [
        (n["name"], n["mode"], n["host_interface"]) for n in alloc["interfaces"]
    ]
    assert [n["mac"] for n in back["interfaces"]] == [n["mac"] for n in plan["interfaces"]]


def test_update_rewrites_limits_and_removes_keys_no_longer_wanted():
    plan, alloc, req, opts = plan_for(memory=64, hugepages_backed=True, hugepage_size="2M")
    smaller = dict(alloc, memory=128, hugepages_backed=False, hugepages=[], cores=2)
    config = updated_config(smaller, req, opts, plan["owned"], "container")
    assert config["limits.memory"] == "128MiB" and config["limits.cpu"] == "2"
    assert config["limits.hugepages.2MB"] is None  # removed from the instance


def test_unmanaged_instance_reads_with_lxd_defaults():
    raw = {
        "name": "theirs",
        "type": "virtual-machine",
        "status": "Stopped",
        "config": {},
        "devices": {"root": {"type": "disk", "path": "/", "pool": "default"}},
    }
    entry = parse_instance(raw, {})
    assert entry["metadata"]["managed"] is False
    back = allocation(entry, "lxd-01", record()["numa"])
    assert (back["cores"], back["memory"], back["disks"]) == (1, 1024, [{"name": "root", "pool": "default", "size": 0}])


@pytest.mark.parametrize(
    "text, size", [("512MiB", 512 * MIB), ("1GB", 10**9), ("3000000000", 3 * 10**9), ("2GiB", 2 * 1024 * MIB)]
)
def test_sizes_as_lxd_writes_them(text, size):
    assert parse_size(text, "x") == size


def test_broken_bookkeeping_is_an_error_not_a_guess():
    raw = {"name": "x", "type": "container", "status": "Stopped", "config": {"user.vmfleet.request": "{nope"}}
    with pytest.raises(DriverError, match="user.vmfleet.request is not JSON"):
        parse_instance(raw, {})
