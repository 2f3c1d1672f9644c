"""The report's facts and findings on synthetic records: every finding, and figures that are the core's."""

import pytest
from report_fleet import SRIOV, crowded_host, fleet, nfv_host

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.summary import describe
from ansible_collections.vmfleet.hosts.plugins.module_utils.report import facts
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

GIB = 1024**3


def kinds(found, host=None):
    return sorted((f["kind"], f["subject"]) for f in found if host is None or f["host"] == host)


def by_name(report, name):
    return next(h for h in report["hosts"] if h["name"] == name)


def test_two_node_host_with_sriov_and_a_misaligned_nic_shows_every_numa_finding():
    report = facts.build([nfv_host()])
    assert kinds(report["findings"]) == [
        ("nic_numa_mismatch", "VM vrouter NIC eth0"),
        ("over_policy", "core 1"),
        ("over_policy", "hugepages node 1"),
        ("vfs_exhausted", f"interface {SRIOV}"),
        ("vm_spans_numa_nodes", "VM wide"),
    ]
    mismatch = next(f for f in report["findings"] if f["kind"] == "nic_numa_mismatch")
    assert mismatch["vm"] == "vrouter" and mismatch["severity"] == "warning"
    assert mismatch["figures"] == {"nic": "eth0", "interface": SRIOV, "nic_node": 1, "vm_nodes": [0]}
    assert "a VF of ens1f0 on NUMA node 1" in mismatch["message"] and "node 0 (0-1)" in mismatch["message"]
    double = next(f for f in report["findings"] if f["subject"] == "core 1")
    assert double["severity"] == "critical" and double["figures"]["vms"] == ["vrouter", "probe"]
    pages = next(f for f in report["findings"] if f["subject"] == "hugepages node 1")
    assert pages["figures"]["used"] == 6 and pages["figures"]["allowed"] == 4
    vfs = next(f for f in report["findings"] if f["kind"] == "vfs_exhausted")
    assert vfs["figures"] == {"interface": SRIOV, "used": 2, "max": 2}
    # most severe first
    assert [f["severity"] for f in report["findings"]][:2] == ["critical", "critical"]


def test_per_node_view_has_cores_pages_vms_and_nics():
    host = by_name(facts.build([nfv_host()]), "nfv-1")
    node0, node1 = host["numa"]
    assert [c["status"] for c in node0["cpus"]] == ["pinned", "pinned"] + ["free"] * 4 + ["pinned", "pinned"]
    assert node0["cpus"][1]["pinned_by"] == ["vrouter", "probe"]
    assert node0["cpus"][6]["pinned_by"] == ["wide"]
    assert (node0["cores_pinned"], node0["cores_free"]) == (4, 4)
    assert node0["vms"] == ["probe", "vrouter", "wide"] and node1["vms"] == ["hungry", "wide"]
    assert node0["interfaces"] == [] and node1["interfaces"] == [SRIOV]
    assert node0["hugepages"] == [{"page_size": GIB, "total": 4, "allocated": 2, "free": 2}]
    assert node1["hugepages"] == [{"page_size": GIB, "total": 4, "allocated": 6, "free": -2}]
    vrouter = next(v for v in host["vms"] if v["name"] == "vrouter")
    assert vrouter["interfaces"][0]["numa_node"] == 1 and vrouter["interfaces"][0]["vf"] is True
    assert vrouter["pinned_cpuset"] == "0-1" and vrouter["notes"] == ["made with <b>virsh</b> & friends"]


def test_host_past_its_policy_pool_nearly_full_and_pool_over_its_size():
    report = facts.build([crowded_host()])
    assert kinds(report["findings"]) == [
        ("over_policy", "memory"),
        ("over_policy", "pool spill"),
        ("over_policy", "vcpus"),
        ("pool_nearly_full", "pool fast"),
    ]
    vcpus = next(f for f in report["findings"] if f["subject"] == "vcpus")
    assert vcpus["figures"] == {"resource": "vcpus", "used": 6, "allowed": 4}
    assert "floor(4 cores x 1) - 0 reserved" in vcpus["message"]
    full = next(f for f in report["findings"] if f["kind"] == "pool_nearly_full")
    assert full["figures"]["percent"] == 95.0 and full["figures"]["threshold"] == 90


def test_pool_threshold_is_an_option():
    def nearly_full(threshold):
        found = facts.build([crowded_host()], pool_full_percent=threshold)["findings"]
        return [f["subject"] for f in found if f["kind"] == "pool_nearly_full"]

    assert nearly_full(96) == [] and nearly_full(95) == ["pool fast"] and nearly_full(100) == []
    for bad in (0, 101, -5, True, "90"):
        with pytest.raises(SpecError) as error:
            facts.build([crowded_host()], pool_full_percent=bad)
        assert error.value.option == "pool_full_percent"


def test_a_healthy_host_has_no_findings():
    record = nfv_host(vms=[], interfaces=[{"name": SRIOV, "type": "physical", "numa_node": 1, "sriov_max_vf": 4}])
    assert facts.build([record])["findings"] == []


def test_figures_are_the_capacity_cores():
    """Used, allowed and free are what summary.describe and the parsed state say, for every host and resource."""
    report = facts.build(fleet())
    for record in fleet():
        described, state = describe(record), parse_host(record)
        host = by_name(report, record["name"])
        rows = {r["key"]: r for r in host["resources"]}
        assert rows["vcpus"]["allowed"] == described["total"]["vcpus"] == state.vcpu_budget
        assert rows["vcpus"]["used"] == described["used"]["vcpus"]
        assert rows["memory"]["allowed"] == state.general_budget
        assert rows["memory"]["used"] == described["used"]["memory"]
        assert rows["memory"]["free"] == state.free_general
        assert host["storage_pools"] == [
            {**p, "percent": pytest.approx(100 * p["used"] / p["total"], abs=0.05), "over": p["available"] < 0}
            for p in described["storage_pools"]
        ]
        for node, block in zip(host["numa"], described["numa"]):
            assert node["general"] == block["memory"]["general"] and node["hugepages"] == block["memory"]["hugepages"]
    fleet_totals = report["fleet"]
    assert fleet_totals["hosts"] == 2 and fleet_totals["vms"] == 6
    assert fleet_totals["vcpus_allowed"] == sum(describe(r)["total"]["vcpus"] for r in fleet())
    assert fleet_totals["storage_total"] == sum(describe(r)["total"]["local_storage"] for r in fleet())
    states = [parse_host(r) for r in fleet()]
    assert fleet_totals["memory_physical"] == sum(s.memory_total - s.hugepage_pool for s in states)


def test_reserve_and_ratio_show_in_the_rows():
    record = crowded_host()
    record.update(cpu_over_commit_ratio=2.5, memory_over_commit_ratio=1.5, reserved={"cores": 2, "memory": 1024})
    rows = {r["key"]: r for r in by_name(facts.build([record]), "crowded")["resources"]}
    assert rows["vcpus"] | {} == {**rows["vcpus"], "allowed": 8, "physical": 4, "reserved": 2, "reserved_effect": 2}
    assert rows["memory"]["allowed"] == (8192 - 1024) * 3 // 2 and rows["memory"]["reserved_effect"] == 1536
    assert rows["memory"]["ratio"] == 1.5 and not rows["vcpus"]["over"]


def test_groups_by_resource_pool_and_zone():
    report = facts.build(fleet())
    assert [(g["name"], g["hosts"], g["vms"]) for g in report["resource_pools"]] == [("default", 1, 4), ("edge", 1, 2)]
    assert [(g["name"], g["vcpus_used"]) for g in report["zones"]] == [("az1", 8), ("az2", 6)]
    assert sum(g["findings"] for g in report["zones"]) == len(report["findings"])


def test_hosts_with_one_name_are_told_apart():
    one, two = nfv_host(), nfv_host(type="lxd")
    names = [h["name"] for h in facts.build([one, two])["hosts"]]
    assert names == ["nfv-1 (libvirt)", "nfv-1 (lxd)"]
    names = sorted(h["name"] for h in facts.build([one, nfv_host()])["hosts"])
    assert names == ["nfv-1 (libvirt 2)", "nfv-1 (libvirt)"]


def test_bad_records_name_the_option():
    with pytest.raises(SpecError) as error:
        facts.build([nfv_host(), {"name": "x", "numa": []}])
    assert error.value.option == "hosts[1].numa"
    with pytest.raises(SpecError) as error:
        facts.build([nfv_host()], plan=["not", "a", "plan"])
    assert error.value.option == "plan"
