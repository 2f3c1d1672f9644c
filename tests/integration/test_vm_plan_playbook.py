# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vmfleet.hosts.vm_plan driven through ansible-playbook against the installed collection (no hypervisor)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from playbook_runner import play, run_playbook

pytestmark = pytest.mark.integration

COLLECTION_ROOT = Path(__file__).resolve().parents[2]
GIB_MIB = 1024


def maas_host(cpu_ratio, memory_ratio, name="kvm01"):
    """MAAS's documentation example: a 4-core, 12 GiB VM host."""
    return {
        "name": name,
        "cpu_over_commit_ratio": cpu_ratio,
        "memory_over_commit_ratio": memory_ratio,
        "numa": [{"node_id": 0, "cpus": 4, "memory": {"total": 12 * GIB_MIB}}],
        "storage_pools": [{"name": "default", "type": "dir", "total": 10**12, "default": True}],
    }


FOUR_SMALL_VMS = [{"name": "vm", "count": 4, "cores": 2, "memory": "4G", "storage": "root:20"}]


def plan_task(name, hosts, requests, **extra):
    options = {key: value for key, value in (("hosts", hosts), ("requests", requests)) if value is not None}
    options.update(extra)
    return {"name": name, "vmfleet.hosts.vm_plan": options, "ignore_errors": True}


def test_overcommit_ratios_decide_how_many_vms_fit(tmp_path):
    results, proc = play(
        tmp_path,
        [
            plan_task("both ratios allow", [maas_host(2, 1.5)], FOUR_SMALL_VMS),
            plan_task("no cpu overcommit", [maas_host(1, 1.5)], FOUR_SMALL_VMS),
            plan_task("no memory overcommit", [maas_host(2, 1)], FOUR_SMALL_VMS),
        ],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr

    both = results["both ratios allow"]
    assert both["changed"] is False
    assert [p["name"] for p in both["placements"]] == ["vm-1", "vm-2", "vm-3", "vm-4"]
    assert {p["host"] for p in both["placements"]} == {"kvm01"}
    assert all(p["cores"] == 2 and p["memory"] == 4096 for p in both["placements"])
    assert both["placements"][0]["disks"] == [{"name": "root", "pool": "default", "size": 20 * 10**9}]
    assert both["unplaced"] == []
    # The compact result by default: per-host figures, not the whole records.
    assert "hosts" not in both
    (host,) = both["remaining"]
    assert host["name"] == "kvm01"
    assert host["total"]["vcpus"] == 8
    assert host["used"]["vcpus"] == 8 and host["available"]["vcpus"] == 0
    # 12 GiB x 1.5 = 18 GiB of which four VMs take 16 GiB.
    assert host["used"]["memory"] == 16 * GIB_MIB
    assert host["available"]["memory"] == 2 * GIB_MIB
    assert host["available"]["local_storage"] == 10**12 - 4 * 20 * 10**9
    assert host["vms"] == 4 and host["planned_vms"] == 4
    assert host["storage_pools"] == [{"name": "default", "available": 10**12 - 4 * 20 * 10**9}]

    cpu = results["no cpu overcommit"]
    assert [p["name"] for p in cpu["placements"]] == ["vm-1", "vm-2"]
    assert [u["name"] for u in cpu["unplaced"]] == ["vm-3", "vm-4"]
    for unplaced in cpu["unplaced"]:
        assert unplaced["resource"] == "cpu"
        assert unplaced["closest_host"] == "kvm01"
        assert "CPU overcommit ratio is 1.0" in unplaced["reason"]
        assert "0 available" in unplaced["reason"] and "2 requested" in unplaced["reason"]

    memory = results["no memory overcommit"]
    assert len(memory["placements"]) == 3
    assert [u["resource"] for u in memory["unplaced"]] == ["memory"]


def test_check_mode_plans_the_same(tmp_path):
    results, proc = play(tmp_path, [plan_task("plan", [maas_host(2, 1.5)], FOUR_SMALL_VMS)], "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = results["plan"]
    assert result.get("failed") is not True
    assert result["changed"] is False
    assert len(result["placements"]) == 4


def test_pinned_hugepages_sriov_and_feeding_the_result_back(tmp_path):
    nfv = {
        "name": "nfv01",
        "numa": [
            {
                "node_id": node,
                "cpus": list(range(node * 4, node * 4 + 4)),
                "memory": {"total": 32 * GIB_MIB, "hugepages": [{"page_size": 2**30, "total": 8}]},
            }
            for node in (0, 1)
        ],
        "storage_pools": [{"name": "nvme", "total": 10**12, "tags": ["ssd"]}],
        "interfaces": [{"name": "ens1f0", "numa_node": 1, "sriov_max_vf": 2, "networks": ["provider"]}],
    }
    vrouter = {
        "name": "vrouter",
        "cores": 4,
        "pinned_cores": "auto",
        "memory": "6G",
        "hugepages_backed": True,
        "hugepage_size": "1G",
        "numa_strict": True,
        "disks": [{"name": "root", "size": 20, "tags": ["ssd"]}],
        "interfaces": "eth0:network=provider,mode=sriov",
    }
    results, proc = play(
        tmp_path,
        [
            plan_task("first", [nfv], [vrouter], return_hosts=True),
            plan_task(
                "again on the result",
                "{{ result_0.hosts }}",
                [{**vrouter, "name": "vrouter2"}, {**vrouter, "name": "vrouter3"}],
                return_hosts="yes",
            ),
            plan_task("compact", [nfv], [vrouter]),
        ],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = results["first"]
    (alloc,) = first["placements"]
    assert len(alloc["pinned_cores"]) == 4
    assert len(alloc["numanode_set"]) == 1 and alloc["spans_numa_nodes"] is False
    node = alloc["numanode_set"][0]
    assert set(alloc["pinned_cores"]) == set(range(node * 4, node * 4 + 4))
    assert alloc["hugepages"] == [{"node_id": node, "page_size": 2**30, "count": 6}]
    assert alloc["disks"][0]["pool"] == "nvme"
    assert alloc["interfaces"][0]["host_interface"] == "ens1f0" and alloc["interfaces"][0]["vf"] is True
    assert first["hosts"][0]["interfaces"][0]["sriov_used_vf"] == 1

    # The returned record is valid input: the planned VM keeps its cores, pages and VF, so only one more fits.
    again = results["again on the result"]
    assert [p["name"] for p in again["placements"]] == ["vrouter2"]
    assert set(again["placements"][0]["pinned_cores"]).isdisjoint(alloc["pinned_cores"])
    assert [u["name"] for u in again["unplaced"]] == ["vrouter3"]
    assert again["hosts"][0]["interfaces"][0]["sriov_used_vf"] == 2
    assert [vm["name"] for vm in again["hosts"][0]["vms"] if vm["planned"]] == ["vrouter2"]

    # Without return_hosts: the same placement, and the node, page and VF figures it leaves.
    compact = results["compact"]
    assert "hosts" not in compact
    assert compact["placements"] == first["placements"]
    (left,) = compact["remaining"]
    assert left["interfaces"] == [{"name": "ens1f0", "sriov_free_vf": 1}]
    by_node = {n["node_id"]: n for n in left["numa"]}
    assert by_node[node]["free_cores"] == 0 and by_node[1 - node]["free_cores"] == 4
    assert by_node[node]["hugepages"] == [{"page_size": 2**30, "total": 8, "free": 2}]
    assert left["available"]["hugepages"] == 10 * GIB_MIB


def test_spread_and_zone_filter(tmp_path):
    hosts = [
        {**maas_host(4, 1, name="a1"), "zone": "az1"},
        {**maas_host(4, 1, name="a2"), "zone": "az1"},
        {**maas_host(4, 1, name="b1"), "zone": "az2"},
    ]
    requests = [
        {"name": "etcd", "count": 2, "cores": 1, "memory": 1024, "zone": "az1"},
        {"name": "nowhere", "zone": "az9"},
    ]
    results, proc = play(
        tmp_path,
        [
            plan_task("spread", hosts, requests, strategy="spread"),
            plan_task("pack", hosts, requests, strategy="pack"),
        ],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    spread, pack = results["spread"], results["pack"]
    assert sorted(p["host"] for p in spread["placements"]) == ["a1", "a2"]
    assert len({p["host"] for p in pack["placements"]}) == 1
    assert {p["host"] for p in pack["placements"]} <= {"a1", "a2"}
    for result in (spread, pack):
        (unplaced,) = result["unplaced"]
        assert unplaced["name"] == "nowhere"
        assert unplaced["closest_host"] is None
        assert "zone=az9" in unplaced["reason"]


def test_spread_considers_hosts_that_already_took_vms(tmp_path):
    small = {**maas_host(1, 1, name="a1"), "zone": "az1"}
    small["numa"] = [{"node_id": 0, "cpus": 1, "memory": {"total": 16384}}]
    big = {**maas_host(1, 1, name="b1"), "zone": "az2"}
    big["numa"] = [{"node_id": 0, "cpus": 8, "memory": {"total": 16384}}]
    requests = [{"name": "x", "cores": 1, "zone": "az2"}, {"name": "y", "cores": 4}]
    results, proc = play(tmp_path, [plan_task("spread", [small, big], requests, strategy="spread")])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [(p["name"], p["host"]) for p in results["spread"]["placements"]] == [("x", "b1"), ("y", "b1")]
    assert results["spread"]["unplaced"] == []


@pytest.mark.parametrize(
    "case",
    [
        # name, hosts, requests, text the message must contain
        ("ratio above ten", [maas_host(11, 1)], FOUR_SMALL_VMS, "hosts[0].cpu_over_commit_ratio"),
        ("negative ratio", [maas_host(1, -0.5)], FOUR_SMALL_VMS, "hosts[0].memory_over_commit_ratio"),
        ("unknown size unit", [maas_host(1, 1)], [{"name": "vm", "memory": "12X"}], "requests[0].memory"),
        ("unknown request key", [maas_host(1, 1)], [{"name": "vm", "cpus": 2}], "cpus"),
        ("unknown host key", [{**maas_host(1, 1), "cpu_ratio": 2}], FOUR_SMALL_VMS, "cpu_ratio"),
        ("size where a number is due", [{**maas_host(1, 1), "reserved": {"memory": "lots"}}], [], "memory"),
        (
            "unknown pool key",
            [{**maas_host(1, 1), "storage_pools": [{"name": "p", "total": 1, "size": 2}]}],
            [],
            "hosts[0].storage_pools[0]: 'size' is not a known key",
        ),
        ("host type not a choice", [{**maas_host(1, 1), "type": "vmware"}], [], "hosts[0].type: 'vmware'"),
        ("hosts not a list", "kvm01", [], "hosts: 'kvm01' is not a list"),
    ],
    ids=lambda case: case[0],
)
def test_bad_input_fails_naming_the_option(tmp_path, case):
    name, hosts, requests, expected = case
    results, proc = play(tmp_path, [plan_task(name, hosts, requests)])
    result = results[name]
    assert result.get("failed") is True, result
    assert expected in result["msg"], result["msg"]
    assert "Traceback" not in result.get("module_stderr", "")


@pytest.mark.parametrize(
    "extra, option, expected",
    [
        ({"strategy": "fill"}, "strategy", "strategy: 'fill' is not a placement strategy"),
        ({"return_host": True}, "return_host", "did you mean 'return_hosts'?"),
        ({"return_hosts": "maybe"}, "return_hosts", "return_hosts: 'maybe'"),
        ({"type": "vmware"}, "type", "type: 'vmware' is not one of libvirt, lxd"),
    ],
    ids=["strategy", "unknown option", "return_hosts", "connection type"],
)
def test_bad_option_fails_naming_it(tmp_path, extra, option, expected):
    results, proc = play(tmp_path, [plan_task("bad", [maas_host(1, 1)], FOUR_SMALL_VMS, **extra)])
    result = results["bad"]
    assert result.get("failed") is True, result
    assert result["option"] == option
    assert expected in result["msg"], result["msg"]


def test_connection_options_from_module_defaults_are_ignored(tmp_path):
    defaults = {"group/vmfleet.hosts.vmhost": {"address": "qemu+ssh://nowhere.invalid/system", "type": "libvirt"}}
    results, proc = play(tmp_path, [plan_task("plan", [maas_host(2, 1.5)], FOUR_SMALL_VMS)], module_defaults=defaults)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(results["plan"]["placements"]) == 4


def test_hosts_and_requests_from_files(tmp_path):
    # one JSON file with both lists next to the playbook, one YAML list in the play's files/ directory
    (tmp_path / "fleet.json").write_text(json.dumps({"hosts": [maas_host(2, 1.5)], "requests": FOUR_SMALL_VMS}))
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "more.yml").write_text(yaml.safe_dump([{"name": "extra", "cores": 1, "memory": 1024}]))
    results, proc = play(
        tmp_path,
        [
            plan_task("from one file", None, None, hosts_file="fleet.json", requests_file="fleet.json"),
            plan_task("from files/", None, None, hosts_file="fleet.json", requests_file="more.yml"),
            plan_task("inline", [maas_host(2, 1.5)], FOUR_SMALL_VMS),
            plan_task("no such file", None, [], hosts_file="nowhere.json"),
        ],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    from_file = results["from one file"]
    assert from_file["placements"] == results["inline"]["placements"]
    assert from_file["remaining"] == results["inline"]["remaining"]
    assert [p["name"] for p in results["from files/"]["placements"]] == ["extra"]
    missing = results["no such file"]
    assert missing["failed"] is True and missing["option"] == "hosts_file"
    assert "nowhere.json" in missing["msg"]


SHOW_PLACED = {"name": "show", "ansible.builtin.debug": {"msg": "placed {{ remote_plan.placements | length }}"}}


def test_target_host_is_never_contacted(tmp_path):
    """The plan runs on the controller: a play on an unreachable SSH host plans all the same."""
    playbook = tmp_path / "remote.yml"
    task = plan_task("plan", [maas_host(2, 1.5)], FOUR_SMALL_VMS)
    task["register"] = "remote_plan"
    playbook.write_text(
        yaml.safe_dump(
            [
                {
                    "name": "unreachable target",
                    "hosts": "vmfleet-nowhere.invalid",
                    "gather_facts": False,
                    "vars": {"ansible_connection": "ssh", "ansible_ssh_timeout": 2},
                    "tasks": [
                        task,
                        {
                            "name": "show",
                            "ansible.builtin.debug": {"msg": "placed {{ remote_plan.placements | length }}"},
                        },
                    ],
                }
            ]
        )
    )
    proc = run_playbook(playbook, "-i", "vmfleet-nowhere.invalid,")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "placed 4" in proc.stdout
    assert "vmfleet-nowhere.invalid    : ok=2" in proc.stdout and "unreachable=0" in proc.stdout


def test_bad_input_fails_the_run(tmp_path):
    task = {"name": "bad", "vmfleet.hosts.vm_plan": {"hosts": [maas_host(11, 1)], "requests": FOUR_SMALL_VMS}}
    results, proc = play(tmp_path, [task])
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert results == {}
    # the value as written (the argument spec used to show it converted to a float, 11.0)
    assert "hosts[0].cpu_over_commit_ratio: 11 is out of range" in proc.stdout + proc.stderr


def test_demo_playbook_prints_the_tables():
    playbook = COLLECTION_ROOT / "playbooks" / "demo_plan.yml"
    proc = run_playbook(playbook, cwd=COLLECTION_ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    for heading in ("PLACEMENTS (strategy pack)", "REQUEST", "HUGEPAGES", "REMAINING CAPACITY", "UNPLACED"):
        assert heading in out, out
    assert "vrouter" in out and "dpdk-probe" in out and "web-3" in out
    # The one request that is too big for the fleet is listed with its reason.
    unplaced = out[out.index("UNPLACED") :]
    assert "analytics" in unplaced and "requested" in unplaced
    assert "failed=0" in out


def fleet_host(name, zone, tags, kind, spaces):
    return {
        **maas_host(2, 1.5, name),
        "type": kind,
        "zone": zone,
        "tags": tags,
        "interfaces": [{"name": "br0", "type": "bridge", "default": True, "spaces": spaces}],
    }


def test_juju_constraints_size_and_place_the_requests(tmp_path):
    hosts = [
        fleet_host("kvm01", "az1", ["ssd", "spinning"], "libvirt", ["db"]),
        fleet_host("kvm02", "az2", ["ssd"], "libvirt", ["db", "dmz"]),
        fleet_host("kvm03", "az2", ["ssd"], "libvirt", ["db"]),
        fleet_host("lxd01", "az3", [], "lxd", ["default"]),
    ]
    requests = [
        {"name": "db", "constraints": "cores=2 mem=1.5G root-disk=20.1G tags=ssd,^spinning spaces=db,^dmz"},
        {"name": "cache", "constraints": "cpu-cores=1 mem=512 virt-type=container zones=^az1,^az2"},
        {"name": "edge", "constraints": "zones=az9"},
    ]
    results, proc = play(
        tmp_path,
        [
            plan_task("constraints", hosts, requests),
            plan_task("unknown key", hosts, [{"name": "x", "constraints": "cores=2 memory=4G"}]),
            plan_task("repeated key", hosts, [{"name": "x", "constraints": "cores=2 cpu-cores=4"}]),
            plan_task("bad size", hosts, [{"name": "x", "constraints": "mem=4GB"}]),
            plan_task("cloud key", hosts, [{"name": "x", "constraints": "arch=amd64"}]),
            plan_task("twice", hosts, [{"name": "x", "constraints": "zones=az1", "zone": "az1"}]),
        ],
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    plan = results["constraints"]
    placed = {p["name"]: p for p in plan["placements"]}
    # kvm01 has the excluded tag, kvm02 an interface in the excluded space: only kvm03 holds db
    assert placed["db"]["host"] == "kvm03"
    assert placed["db"]["cores"] == 2 and placed["db"]["memory"] == 1536
    assert placed["db"]["disks"] == [{"name": "root", "pool": "default", "size": 20583 * 1024**2}]
    assert [nic["space"] for nic in placed["db"]["interfaces"]] == ["db"]
    assert placed["cache"]["host"] == "lxd01" and placed["cache"]["memory"] == 512
    (edge,) = plan["unplaced"]
    assert edge["name"] == "edge" and edge["resource"] == "filter"
    assert edge["reason"] == "no VM host matches zones=az9."
    for label, words in (
        ("unknown key", "'memory=4G' has an unknown key 'memory'"),
        ("repeated key", "'cpu-cores=4' repeats the key 'cores'"),
        ("bad size", "bad mem: '4GB' is not a size"),
        ("cloud key", "'arch=amd64' is not supported: arch cannot be matched"),
        ("twice", "sets zones, and requests[0].zone is given too"),
    ):
        failed = results[label]
        assert failed["failed"] is True and failed["option"] == "requests[0].constraints", (label, failed)
        assert words in failed["msg"], (label, failed["msg"])
