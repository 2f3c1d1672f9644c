"""Hosts on one machine (projects of one LXD server, one libvirtd reached two ways) are one pool of capacity."""

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.placement import plan
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_requests

from capacity_factory import host


def two_projects(hardware=("lxd:abc", "lxd:abc")):
    # each project may give out 4 vCPUs of the server's 2 cores at ratio 2; together they still have only 4
    return [
        host(f"project-{i}", cpus=2, memory=4096, cpu_ratio=2, hardware_id=hardware_id)
        for i, hardware_id in enumerate(hardware)
    ]


def test_a_vm_planned_on_one_project_is_taken_from_the_other():
    result = plan(two_projects(), parse_requests([{"name": "vm", "count": 3, "cores": 2, "memory": 512}]), "spread")
    # without the shared hardware, spread would place all three (4 vCPUs per project)
    assert len(result["placements"]) == 2
    assert [u["resource"] for u in result["unplaced"]] == ["cpu"]
    remaining = {r["name"]: r["available"]["vcpus"] for r in result["remaining"]}
    assert remaining == {"project-0": 0, "project-1": 0}


def test_separate_hardware_is_planned_apart():
    result = plan(
        two_projects(("lxd:abc", "lxd:def")),
        parse_requests([{"name": "vm", "count": 3, "cores": 2, "memory": 512}]),
        "spread",
    )
    assert len(result["placements"]) == 3 and result["unplaced"] == []


def test_pinned_cores_and_storage_are_shared_too():
    hosts = two_projects()
    requests = parse_requests(
        [
            {"name": "a", "pinned_cores": [0], "memory": 512, "disks": [{"size": "600G"}]},
            {"name": "b", "pinned_cores": [0], "memory": 512},
            {"name": "c", "cores": 1, "memory": 512, "disks": [{"size": "600G"}]},
        ]
    )
    result = plan(hosts, requests, "spread")
    placed = {p["name"]: p["host"] for p in result["placements"]}
    assert list(placed) == ["a"]
    assert {u["name"]: u["resource"] for u in result["unplaced"]} == {"b": "pinned_cores", "c": "storage"}
    # the sibling's record shows what the plan took from it, named after the host it went to
    sibling = next(h for h in result["hosts"] if h["name"] != placed["a"])
    assert [vm["name"] for vm in sibling["vms"]] == [f"{placed['a']}/a"]
    assert sibling["vms"][0]["notes"] == [f"planned on {placed['a']}, which shares this host's hardware"]
    assert len(result["placements"]) == 1  # the shadow is no placement of its own


def test_spread_takes_turns_between_hosts_that_share_their_room():
    # both projects always show the same free room; without a tie-break the first by name would take every VM
    result = plan(two_projects(), parse_requests([{"name": "vm", "count": 4, "cores": 1, "memory": 256}]), "spread")
    assert [p["host"] for p in result["placements"]] == ["project-0", "project-1", "project-0", "project-1"]


def test_spread_tie_break_counts_only_a_hosts_own_vms():
    hosts = two_projects()
    # project-0 already holds one VM of its own; project-1 counts it as another project's instance, not its own
    hosts[0]["vms"] = [{"name": "web", "cores": 1, "memory": 256}]
    hosts[1]["vms"] = [{"name": "project-0/web", "cores": 1, "memory": 256}]
    result = plan(hosts, parse_requests([{"name": "vm", "count": 2, "cores": 1, "memory": 256}]), "spread")
    assert [p["host"] for p in result["placements"]] == ["project-1", "project-0"]
