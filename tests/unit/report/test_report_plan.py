"""A vm_plan result in the report: what would go where, what is left, and what the plan brings."""

from report_fleet import SRIOV, nfv_host

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.placement import plan
from ansible_collections.vmfleet.hosts.plugins.module_utils.report import facts, text
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_requests


def healthy():
    return nfv_host(vms=[], interfaces=[{"name": SRIOV, "type": "physical", "numa_node": 1, "sriov_max_vf": 4}])


def planned():
    requests = parse_requests(
        [
            {"name": "vr", "pinned_cores": [0, 1], "memory": 2048, "interfaces": [{"name": "eth0", "mode": "sriov"}]},
            {"name": "web", "cores": 2, "memory": 4096},
            {"name": "huge", "cores": 64, "memory": 1024},
        ],
        "requests",
    )
    return plan([healthy()], requests)


def test_plan_placements_left_and_unplaced():
    result = planned()
    report = facts.build([healthy()], plan=result)
    section = report["plan"]
    assert [(p["name"], p["host"], p["planned"]) for p in section["placements"]] == [
        ("vr", "nfv-1", True),
        ("web", "nfv-1", True),
    ]
    assert section["placements"][0]["pinned_cores"] == [0, 1]
    assert [u["name"] for u in section["unplaced"]] == ["huge"] and section["unplaced"][0]["resource"] == "cpu"
    after = section["hosts_after"][0]
    rows = {r["key"]: r for r in after["resources"]}
    assert rows["vcpus"]["used"] == 4 and rows["vcpus"]["free"] == result["hosts"][0]["available"]["vcpus"]
    assert rows["memory"]["free"] == result["hosts"][0]["available"]["memory"]
    assert after["planned_vms"] == ["vr", "web"]
    # the hosts as they are have nothing of the plan
    assert report["hosts"][0]["vms"] == [] and report["findings"] == []


def test_plan_findings_name_the_unplaced_request_and_the_misaligned_vf():
    section = facts.build([healthy()], plan=planned())["plan"]
    assert sorted((f["kind"], f["vm"]) for f in section["findings"]) == [
        ("nic_numa_mismatch", "vr"),
        ("unplaced", "huge"),
    ]
    unplaced = next(f for f in section["findings"] if f["kind"] == "unplaced")
    assert unplaced["host"] == "nfv-1" and "CPU overcommit ratio" in unplaced["message"]


def test_text_header_counts_the_plan_findings_too():
    # the module's findings result holds the hosts' and the plan's: the header must not say fewer
    out = text.render(facts.build([healthy()], plan=planned()))
    assert out.splitlines()[0].startswith("VM FLEET CAPACITY: 1 host(s), 0 VM(s), 0 finding(s) and 2 plan finding(s)")


def test_plan_hosts_as_the_report_hosts_mark_planned_vms():
    result = planned()
    report = facts.build(result["hosts"], plan=result)
    assert [(v["name"], v["planned"]) for v in report["hosts"][0]["vms"]] == [("vr", True), ("web", True)]
    lines = text.render(report)
    assert "vr (planned)" in lines and "PLAN: 2 placed, 1 unplaced" in lines
