"""The fleet plan: what one run does on each VM host, from host records and declared VMs."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "capacity"))

from ansible_collections.vmfleet.hosts.plugins.action.fleet_plan import task_result  # noqa: E402
from ansible_collections.vmfleet.hosts.plugins.module_utils.fleet.converge_plan import fleet_plan  # noqa: E402
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError  # noqa: E402

from capacity_factory import host  # noqa: E402


def fleet():
    # two projects of one LXD server (the same name and hardware) and a libvirt host
    return {
        "lxd-a": host("server", cpus=2, memory=4096, cpu_ratio=2, zone="az1", hardware_id="lxd:f1"),
        "lxd-b": host("server", cpus=2, memory=4096, cpu_ratio=2, zone="az2", hardware_id="lxd:f1"),
        "kvm": host(
            "kvm", cpus=2, memory=4096, hardware_id="libvirt:u1", tags=["ssd"], vms=[{"name": "db", "cores": 1}]
        ),
    }


def test_existing_vms_stay_new_ones_are_planned_absent_ones_removed():
    records = fleet()
    records["lxd-b"]["vms"] = [{"name": "old", "cores": 1, "memory": 256}]
    result = fleet_plan(
        records,
        [
            {"name": "db", "cores": 2, "memory": 1024},
            {"name": "web", "cores": 1, "memory": 256, "zone": "az2"},
            {"name": "fast", "cores": 1, "memory": 256, "host_tags": ["ssd"]},
            {"name": "old", "state": "absent"},
            {"name": "never", "state": "absent"},
        ],
    )
    assert result["hosts"] == {
        "kvm": {"compose": ["db", "fast"], "remove": []},
        "lxd-a": {"compose": [], "remove": []},
        "lxd-b": {"compose": ["web"], "remove": ["old"]},
    }
    actions = {p["name"]: (p["host"], p["action"]) for p in result["placements"]}
    assert actions == {
        "db": ("kvm", "converge"),
        "web": ("lxd-b", "create"),
        "fast": ("kvm", "create"),
        "old": ("lxd-b", "remove"),
    }


def test_containers_go_only_to_hosts_that_run_them():
    records = fleet()
    for name in ("lxd-a", "lxd-b"):
        records[name]["type"] = "lxd"
    records["kvm"]["type"] = "libvirt"
    records["lxd-b"]["zone"] = "az1"
    result = fleet_plan(records, [{"name": "c", "cores": 1, "memory": 256, "instance_type": "container"}], "spread")
    assert result["placements"][0]["host"] in ("lxd-a", "lxd-b")
    big = [{"name": "c", "cores": 5, "memory": 256, "instance_type": "container"}]
    reasons = fleet_plan(records, big)["unplaced"][0]["reasons"]
    assert (
        reasons["kvm"]
        == "the host does not match: it is a libvirt host; virt-type=container needs an LXD or Incus host"
    )


def test_juju_constraints_place_a_declared_vm():
    result = fleet_plan(fleet(), [{"name": "c", "constraints": "cores=1 mem=256M zones=az2"}], "spread")
    assert [(p["name"], p["host"]) for p in result["placements"]] == [("c", "lxd-b")]


def test_a_vm_naming_its_host_goes_only_there():
    result = fleet_plan(fleet(), [{"name": "x", "cores": 1, "memory": 256, "host": "lxd-b"}], "spread")
    assert result["hosts"]["lxd-b"]["compose"] == ["x"]


def test_a_vm_that_fits_nowhere_gets_every_hosts_reason_and_fails_the_task():
    vms = [{"name": "huge", "cores": 5, "memory": 256, "zone": "az1"}]
    result = fleet_plan(fleet(), vms)
    assert result["placements"] == []
    reasons = result["unplaced"][0]["reasons"]
    assert reasons["lxd-b"] == "the host is in zone az2, not az1"
    assert "CPU overcommit ratio" in reasons["lxd-a"]
    out = task_result({"hosts": fleet(), "vms": vms})
    assert out["failed"] and "no VM host can take huge: kvm:" in out["msg"]


def test_projects_of_one_server_are_one_pool_of_capacity():
    # each project allows 4 vCPUs of the server's 2 cores x 2; together they still allow only 4
    vms = [{"name": f"vm{i}", "cores": 2, "memory": 256} for i in range(3)]
    records = fleet()
    del records["kvm"]
    result = fleet_plan(records, vms, "spread")
    assert [m["name"] for m in result["unplaced"]] == ["vm2"]


def test_a_vm_seen_through_two_hosts_on_one_machine_is_one_vm():
    records = {
        "local": host("kvm", hardware_id="libvirt:u1", vms=[{"name": "db", "cores": 1}]),
        "ssh": host("kvm", hardware_id="libvirt:u1", vms=[{"name": "db", "cores": 1}]),
    }
    result = fleet_plan(records, [{"name": "db", "state": "absent"}])
    assert result["hosts"] == {"local": {"compose": [], "remove": ["db"]}, "ssh": {"compose": [], "remove": []}}
    result = fleet_plan(records, [{"name": "db", "cores": 1, "host": "ssh"}])
    assert result["hosts"]["ssh"]["compose"] == ["db"]


@pytest.mark.parametrize(
    "vms, option, words",
    [
        ("web", "vms", "is not a list"),
        ([{"cores": 1}], "vms[0].name", "is required"),
        ([{"name": "a"}, {"name": "a"}], "vms[1].name", "is declared twice"),
        ([{"name": "a", "state": "gone"}], "vms[0].state", "is not one of"),
        ([{"name": "a", "host": "nowhere"}], "vms[0].host", "is not one of the fleet's VM hosts"),
        ([{"name": "a", "count": 2}], "vms[0].count", "declare each VM by its own name"),
        ([{"name": "a", "cores": "many"}], "vms[0].cores", ""),
        ([{"name": "db", "host": "lxd-a"}], "vms[0].host", "VMs do not move"),
    ],
)
def test_bad_declarations_name_the_option(vms, option, words):
    with pytest.raises(SpecError) as error:
        fleet_plan(fleet(), vms)
    assert error.value.option == option and words in str(error.value)


def test_the_task_refuses_unknown_options_and_bad_hosts():
    assert task_result({"hosts": fleet(), "vms": [], "stratgy": "pack"})["msg"].startswith("stratgy:")
    assert task_result({"hosts": [], "vms": []})["option"] == "hosts"
