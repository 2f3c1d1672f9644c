# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Constraints mapped to a request: the keys they set, conflicts, spaces with interfaces, placement, vm_compose."""

from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils import vm_compose_service as service
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.placement import plan
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_request, parse_requests

MIB = 1024**2


def one(constraints: str, **extra) -> dict:
    return parse_request({"name": "vm", "constraints": constraints, **extra})


def refused(request: dict) -> SpecError:
    with pytest.raises(SpecError) as caught:
        parse_requests([request])
    return caught.value


def test_no_constraints_keeps_the_request_shape():
    assert "zones" not in parse_request({"name": "vm"})
    assert parse_request({"name": "vm"}) == one("")


def test_sizes_become_cores_memory_and_root_disk():
    request = one("cores=4 mem=8G root-disk=20G")
    assert (request["cores"], request["memory"]) == (4, 8192)
    assert request["disks"] == [{"name": "root", "size": 20 * 1024 * MIB, "pool": None, "tags": [], "boot": True}]


def test_a_vm_gets_what_it_asked_for_rounded_up_to_whole_mib():
    assert one("mem=1.0001G")["memory"] == 1025
    assert one("root-disk=0.5")["disks"][0]["size"] == MIB


def test_root_disk_source_alone_keeps_the_default_size_on_that_pool():
    disk = one("root-disk-source=nvme")["disks"][0]
    assert (disk["size"], disk["pool"]) == (8 * 10**9, "nvme")


def test_unset_values_leave_the_defaults():
    assert one("cores= mem=0 root-disk=") == parse_request({"name": "vm"})


def test_tags_zones_and_virt_type_choose_hosts():
    request = one("tags=ssd,^spinning zones=az1,az2,^az3 virt-type=container")
    assert request["host_tags"] == ["ssd"]
    assert request["not_host_tags"] == ["spinning"]
    assert (request["zones"], request["not_zones"]) == (["az1", "az2"], ["az3"])
    assert request["instance_type"] == "container"
    assert request["zone"] is None and request["tags"] == []


def test_explicit_empty_tags_ask_for_no_host_tag():
    request = one("tags=")
    assert request["host_tags"] == [] and "not_host_tags" not in request


def test_spaces_make_a_nic_per_wanted_space_and_exclude_the_rest():
    nics = one("spaces=db,storage,^dmz")["interfaces"]
    assert [(n["name"], n["space"], n["not_space"]) for n in nics] == [
        ("eth0", "db", ["dmz"]),
        ("eth1", "storage", ["dmz"]),
    ]


def test_only_excluded_spaces_constrain_one_default_nic():
    nics = one("spaces=^dmz")["interfaces"]
    assert [(n["name"], n["space"], n["not_space"]) for n in nics] == [("eth0", None, ["dmz"])]


def test_spaces_work_together_with_interfaces():
    nics = one(
        "spaces=db,storage,^dmz",
        interfaces=[{"name": "eth0", "space": "db"}, {"name": "eth1", "network": "default", "not_space": ["x"]}],
    )["interfaces"]
    # eth0 serves db already; storage gets a NIC of its own; every NIC stays out of dmz
    assert [(n["name"], n["space"], n["not_space"]) for n in nics] == [
        ("eth0", "db", ["dmz"]),
        ("eth1", None, ["x", "dmz"]),
        ("eth2", "storage", ["dmz"]),
    ]


def test_spaces_with_the_maas_interfaces_string():
    nics = one("spaces=db", interfaces="eth0:network=default")["interfaces"]
    assert [(n["name"], n["network"], n["space"]) for n in nics] == [("eth0", "default", None), ("eth1", None, "db")]


def test_a_nic_in_an_excluded_space_is_refused():
    error = refused({"name": "vm", "constraints": "spaces=^dmz", "interfaces": "eth0:space=dmz"})
    assert error.option == "requests[0].constraints"
    assert "excludes space 'dmz', which interfaces[0] (eth0) asks for" in error.reason


@pytest.mark.parametrize(
    ("constraints", "key", "value"),
    [
        ("cores=4", "cores", 2),
        ("cpu-cores=4", "cores", 2),
        ("mem=4G", "memory", "2G"),
        ("root-disk=20G", "disks", [{"size": 10}]),
        ("root-disk=20G", "storage", "root:10"),
        ("root-disk-source=nvme", "storage", "root:10"),
        ("tags=ssd", "host_tags", ["ssd"]),
        ("tags=", "host_tags", ["ssd"]),
        ("zones=az1", "zone", "az1"),
    ],
)
def test_a_constraint_and_the_key_it_sets_are_refused_together(constraints, key, value):
    error = refused({"name": "vm", "constraints": constraints, key: value})
    assert error.option == "requests[0].constraints"
    assert f"and requests[0].{key} is given too" in error.reason
    assert "not both" in error.reason


def test_cores_with_pinned_cores_must_agree():
    assert one("cores=2", pinned_cores="0-1")["pinned_cores"] == [0, 1]
    error = refused({"name": "vm", "constraints": "cores=3", "pinned_cores": "0-1"})
    assert error.option == "requests[0].cores" and "does not match pinned_cores" in error.reason


def test_a_bad_constraint_names_the_request():
    error = refused({"name": "vm", "constraints": "cores=2 arch=amd64"})
    assert error.option == "requests[0].constraints"
    assert error.value == "arch=amd64"


def test_count_copies_the_constraints_to_each_vm():
    requests = parse_requests([{"name": "db", "count": 2, "constraints": "zones=^az3 spaces=db"}])
    assert [r["name"] for r in requests] == ["db-1", "db-2"]
    assert all(r["not_zones"] == ["az3"] and r["interfaces"][0]["space"] == "db" for r in requests)


# ---- placement on host records ----


def host(name, zone="default", tags=(), kind="manual", spaces=("default",)):
    return {
        "name": name,
        "type": kind,
        "zone": zone,
        "tags": list(tags),
        "numa": [{"node_id": 0, "cpus": [0, 1, 2, 3], "memory": {"total": 16384}}],
        "storage_pools": [{"name": "default", "total": 10**12, "default": True}],
        "interfaces": [{"name": "br0", "type": "bridge", "default": True, "spaces": list(spaces)}],
    }


def placed(hosts, constraints):
    result = plan(hosts, parse_requests([{"name": "vm", "constraints": constraints}]))
    if result["unplaced"]:
        return result["unplaced"][0]["reason"]
    return result["placements"][0]["host"]


def test_zones_pick_one_of_the_wanted_and_none_of_the_excluded():
    hosts = [host("a", zone="az1"), host("b", zone="az2"), host("c", zone="az3")]
    assert placed(hosts, "zones=az2,az3 ") in ("b", "c")
    assert placed(hosts, "zones=^az1,^az2") == "c"


def test_tags_need_all_wanted_and_no_excluded():
    hosts = [host("a", tags=["ssd", "spinning"]), host("b", tags=["ssd"]), host("c")]
    assert placed(hosts, "tags=ssd,^spinning") == "b"
    assert placed(hosts, "tags=^ssd") == "c"


def test_virt_type_container_goes_to_lxd_hosts_only():
    hosts = [host("a", kind="libvirt"), host("b", kind="lxd")]
    assert placed(hosts, "virt-type=container") == "b"
    assert placed(hosts, "virt-type=virtual-machine") in ("a", "b")


def test_spaces_match_the_host_interfaces_spaces():
    hosts = [host("a", spaces=["dmz", "db"]), host("b", spaces=["db"])]
    assert placed(hosts, "spaces=db,^dmz") == "b"


def test_the_reason_names_the_constraints_no_host_matches():
    hosts = [host("a", zone="az1", tags=["hdd"], kind="libvirt")]
    reason = placed(hosts, "zones=^az1 tags=^hdd virt-type=container")
    assert reason == "no VM host matches zones=^az1 tags=^hdd virt-type=container."


def test_requests_with_different_filters_do_not_share_a_group():
    hosts = [host("a", zone="az1"), host("b", zone="az2")]
    result = plan(
        hosts,
        parse_requests([{"name": "x", "constraints": "zones=az1"}, {"name": "y", "constraints": "zones=^az1"}]),
    )
    assert [(p["name"], p["host"]) for p in result["placements"]] == [("x", "a"), ("y", "b")]


# ---- vm_compose ----


def compose_params(**given):
    params = dict.fromkeys(service.REQUEST_OPTIONS)
    params.update({"name": "vm", "boot": "network", "cloud_init": None, "instance_type": None})
    params.update(given)
    return params


class StubDriver:
    address = "lxd-01"

    def compose_options(self, params):
        return {"instance_type": params.get("instance_type") or "virtual-machine"}


def test_vm_compose_keeps_host_choosing_constraints_out_of_the_stored_request():
    request, _cloud, host_filter = service._parse_pure(compose_params(constraints="cores=2 tags=ssd zones=az1"))
    assert request == parse_request({"name": "vm", "cores": 2})
    assert host_filter == {"zones": ["az1"], "host_tags": ["ssd"]}


def test_vm_compose_virt_type_becomes_instance_type():
    _request, options = service.parse(compose_params(constraints="virt-type=container"), StubDriver())
    assert options["instance_type"] == "container"


def test_vm_compose_refuses_virt_type_with_instance_type():
    with pytest.raises(SpecError) as caught:
        service.check_options(
            {
                **compose_params(constraints="virt-type=container", instance_type="virtual-machine"),
                "state": "present",
                "shutdown_timeout": 1,
                "lock_timeout": 1,
            }
        )
    assert caught.value.option == "constraints"
    assert "instance_type is given too" in caught.value.reason


@pytest.mark.parametrize(
    ("constraints", "reason"),
    [
        ("zones=az2", "zone 'az1' is not one of zones=az2"),
        ("zones=^az1", "zone 'az1' is excluded by zones=^az1"),
        ("tags=ssd,nvme", "it lacks the tags ssd, nvme"),
        ("tags=^gpu", "it has the tag 'gpu', excluded by tags=^gpu"),
        ("virt-type=container", "it is a libvirt host; virt-type=container needs an LXD or Incus host"),
    ],
)
def test_vm_compose_refuses_a_host_the_constraints_rule_out(constraints, reason):
    record = {"zone": "az1", "tags": ["gpu"], "type": "libvirt"}
    with pytest.raises(SpecError) as caught:
        service._refuse_other_host(compose_params(constraints=constraints), StubDriver(), record)
    assert caught.value.option == "constraints"
    assert caught.value.reason == f"cannot be met on VM host lxd-01: {reason}"


def test_vm_compose_takes_a_host_the_constraints_allow():
    record = {"zone": "az1", "tags": ["gpu", "ssd"], "type": "lxd"}
    params = compose_params(constraints="zones=az1,az2 tags=ssd,^spinning virt-type=container cores=2")
    assert service._refuse_other_host(params, StubDriver(), record) is None


class LibvirtLikeDriver(StubDriver):
    def compose_options(self, params):
        if params.get("instance_type") == "container":
            raise SpecError("instance_type", "container", "is an LXD instance type; a libvirt host runs VMs only")
        return {}


def test_vm_compose_names_virt_type_when_the_driver_refuses_the_instance_type():
    with pytest.raises(SpecError) as caught:
        service.parse(compose_params(constraints="virt-type=container"), LibvirtLikeDriver())
    assert (caught.value.option, caught.value.value) == ("constraints", "virt-type=container")
    assert "LXD instance type" in caught.value.reason


def test_vm_compose_keeps_the_drivers_own_instance_type_refusal():
    with pytest.raises(SpecError) as caught:
        service.parse(compose_params(instance_type="container"), LibvirtLikeDriver())
    assert caught.value.option == "instance_type"
