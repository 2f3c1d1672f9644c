"""vm_plan's task logic (module_utils/plan_task.py) and its action plugin, without ansible-playbook."""

import json
import types

import pytest
import yaml

from ansible_collections.vmfleet.hosts.plugins.action import vm_plan as action
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import PolicyError
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.placement import plan
from ansible_collections.vmfleet.hosts.plugins.module_utils.plan_task import PLAN_OPTIONS, read_text_file, run_plan_task
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_requests
from ansible_collections.vmfleet.hosts.plugins.modules import vm_plan as module

MIB = 1024**2


def nfv_host(name="nfv01"):
    return {
        "name": name,
        "zone": "az1",
        "cpu_over_commit_ratio": 4,
        "numa": [
            {
                "node_id": node,
                "cpus": list(range(node * 4, node * 4 + 4)),
                "memory": {"total": 32768, "hugepages": [{"page_size": 2**30, "total": 8}]},
            }
            for node in (0, 1)
        ],
        "storage_pools": [{"name": "nvme", "total": 10**12, "used": 10**11, "default": True}],
        "interfaces": [
            {"name": "br0", "type": "bridge", "default": True},
            {"name": "ens1f0", "numa_node": 1, "sriov_max_vf": 2, "networks": ["provider"]},
        ],
        "vms": [{"name": "old", "cores": 2, "memory": 4096}],
    }


VROUTER = {
    "name": "vrouter",
    "cores": 4,
    "pinned_cores": "auto",
    "memory": "6G",
    "hugepages_backed": True,
    "hugepage_size": "1G",
    "interfaces": "eth0:network=provider,mode=sriov",
    "storage": "root:20",
}
WEB = {"name": "web", "count": 3, "cores": 2, "memory": 2048}


def args(**extra):
    return {"hosts": [nfv_host(), nfv_host("nfv02")], "requests": [VROUTER, WEB], **extra}


def test_compact_result_by_default():
    result = run_plan_task(args())
    assert set(result) == {"changed", "placements", "unplaced", "remaining"}
    assert result["changed"] is False
    assert [p["name"] for p in result["placements"]] == ["vrouter", "web-1", "web-2", "web-3"]
    assert [r["name"] for r in result["remaining"]] == ["nfv01", "nfv02"]
    first = result["remaining"][0]
    assert first["vms"] == 5 and first["planned_vms"] == 4  # pack: everything on the first host
    assert first["used"]["vcpus"] == 2 + 4 + 6
    assert first["storage_pools"] == [{"name": "nvme", "available": 9 * 10**11 - 20 * 10**9 - 3 * 8 * 10**9}]
    assert first["interfaces"] == [{"name": "ens1f0", "sriov_free_vf": 1}]  # br0 has no VFs: left out
    node = result["placements"][0]["numanode_set"][0]
    by_node = {n["node_id"]: n for n in first["numa"]}
    assert by_node[node]["free_cores"] == 0
    assert by_node[node]["hugepages"] == [{"page_size": 2**30, "total": 8, "free": 2}]


def test_placement_detail_host_gives_each_vm_its_host_only_and_the_same_figures():
    full = run_plan_task(args())
    brief = run_plan_task(args(placement_detail="host"))
    assert brief["placements"] == [{"name": p["name"], "host": p["host"]} for p in full["placements"]]
    assert brief["remaining"] == full["remaining"] and brief["unplaced"] == full["unplaced"]


def test_compact_figures_are_the_whole_records_figures():
    """remaining is a digest of the records return_hosts gives: the same figures, never computed apart."""
    compact = run_plan_task(args())
    whole = run_plan_task(args(return_hosts=True))
    assert whole["placements"] == compact["placements"] and whole["unplaced"] == compact["unplaced"]
    assert whole["remaining"] == compact["remaining"]
    for left, record in zip(compact["remaining"], whole["hosts"]):
        assert left["name"] == record["name"]
        for block in ("total", "used", "available"):
            assert left[block] == record[block]
        assert left["vms"] == len(record["vms"])
        assert left["planned_vms"] == sum(1 for vm in record["vms"] if vm["planned"])
        assert [(p["name"], p["available"]) for p in left["storage_pools"]] == [
            (p["name"], p["available"]) for p in record["storage_pools"]
        ]
        for digest, node in zip(left["numa"], record["numa"]):
            assert digest["free_cores"] == len(node["cores"]["free"])
            assert digest["free_memory"] == node["memory"]["general"]["free"]
            pools = node["memory"]["hugepages"]
            assert digest["hugepages"] == [
                {"page_size": p["page_size"], "total": p["total"], "free": p["free"]} for p in pools
            ]


def test_return_hosts_gives_what_the_core_gives():
    hosts, requests = args()["hosts"], args()["requests"]
    result = run_plan_task(args(return_hosts="yes", strategy="spread"))
    assert result["hosts"] == plan(hosts, parse_requests(requests), "spread")["hosts"]
    # and the records plan on again: the VMs planned first are counted (their VF too)
    again = run_plan_task({"hosts": result["hosts"], "requests": [{**VROUTER, "name": "vrouter2"}]})
    assert sum(left["vms"] for left in again["remaining"]) == 2 + 4 + 1
    assert sum(left["interfaces"][0]["sriov_free_vf"] for left in again["remaining"]) == 2 + 2 - 2


def test_null_options_count_as_not_given():
    result = run_plan_task(args(strategy=None, return_hosts=None, address=None))
    assert "hosts" not in result
    assert {p["host"] for p in result["placements"]} == {"nfv01"}  # pack


def test_connection_options_are_accepted_and_ignored():
    with_connection = args(address="qemu+ssh://nowhere.invalid/system", type="libvirt", client_cert="/c", key_file="/k")
    assert run_plan_task(with_connection) == run_plan_task(args())


@pytest.mark.parametrize(
    "extra, option, text",
    [
        ({"stratgy": "pack"}, "stratgy", "did you mean 'strategy'?"),
        ({"strategy": "fill"}, "strategy", "is not a placement strategy; use one of pack, spread"),
        ({"return_hosts": "perhaps"}, "return_hosts", "'perhaps'"),
        ({"placement_detail": "some"}, "placement_detail", "is not one of full, host"),
        ({"type": "vmware"}, "type", "is not one of libvirt, lxd"),
        ({"address": "a", "uri": "b"}, "uri", "is another name of address"),
        ({"server_cert": "/a", "server_fingerprint": "ab"}, "server_fingerprint", "cannot be given together"),
        ({"client_cert": "/a"}, "client_key", "is required together with client_cert"),
    ],
)
def test_bad_options_name_the_option(extra, option, text):
    with pytest.raises(SpecError) as caught:
        run_plan_task(args(**extra))
    assert caught.value.option == option
    assert text in str(caught.value)


@pytest.mark.parametrize("missing", ["hosts", "requests"])
def test_required_options(missing):
    given = args()
    del given[missing]
    with pytest.raises(SpecError, match=f"^{missing} is required"):
        run_plan_task(given)


def bad_host(**changes):
    host = nfv_host()
    host.update(changes)
    return host


@pytest.mark.parametrize(
    "hosts, option, text",
    [
        ("nfv01", "hosts", "is not a list of host records"),
        (["nfv01"], "hosts[0]", "is not a host record"),
        ([bad_host(cpu_ratio=2)], "hosts[0]", "'cpu_ratio' is not a known key"),
        ([bad_host(type="vmware")], "hosts[0].type", "is not one of libvirt, lxd, incus, manual"),
        ([bad_host(storage_pools={"name": "p"})], "hosts[0].storage_pools", "is not a list of mappings"),
        (
            [bad_host(numa=[{"node_id": 0, "cpus": 2, "memory": {"total": 4096, "hugepages": [{"size": 1}]}}])],
            "hosts[0].numa[0].memory.hugepages[0]",
            "'size' is not a known key",
        ),
        ([bad_host(interfaces=[{"name": "br0", "vlan": 4}])], "hosts[0].interfaces[0]", "did you mean 'vlans'?"),
        ([bad_host(reserved={"memory": "lots"})], "hosts[0].reserved.memory", "'lots'"),
        ([bad_host(numa=[])], "hosts[0].numa", "at least one NUMA node"),
    ],
)
def test_bad_host_records_name_the_option(hosts, option, text):
    with pytest.raises((SpecError, PolicyError)) as caught:
        run_plan_task({"hosts": hosts, "requests": []})
    assert caught.value.option == option
    assert text in str(caught.value)


def test_ratio_out_of_range_is_a_policy_error_naming_the_option():
    with pytest.raises(PolicyError) as caught:
        run_plan_task({"hosts": [bad_host(cpu_over_commit_ratio=11)], "requests": []})
    assert caught.value.option == "hosts[0].cpu_over_commit_ratio"


def test_task_result_fails_cleanly_with_the_option():
    result = action.task_result({"hosts": [bad_host(memory_over_commit_ratio=-1)], "requests": [WEB]})
    assert result["failed"] is True and result["changed"] is False
    assert result["option"] == "hosts[0].memory_over_commit_ratio"
    assert result["msg"].startswith("hosts[0].memory_over_commit_ratio: -1 is out of range")
    result = action.task_result({"hosts": [nfv_host()], "requests": [{"name": "vm", "cpus": 2}]})
    assert result["failed"] is True and result["option"] == "requests[0]"


def fake_task(task_args, check_mode=False):
    return types.SimpleNamespace(args=task_args, async_val=0, check_mode=check_mode, action="vmfleet.hosts.vm_plan")


@pytest.mark.parametrize("check_mode", [False, True])
def test_action_plugin_runs_the_plan_without_a_module(check_mode):
    connection = types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir=None))
    plugin = action.ActionModule(fake_task(args(), check_mode), connection, None, None, None)
    plugin._execute_module = None  # a module round trip would fail: there must be none
    result = plugin.run(task_vars={})
    assert result == run_plan_task(args())
    assert plugin._requires_connection is False


def docs():
    return yaml.safe_load(module.DOCUMENTATION), yaml.safe_load(module.RETURN)


def test_documented_options_are_the_accepted_ones():
    options = set(docs()[0]["options"]) | {"hosts", "address", "type", "project", "client_cert", "client_key"}
    assert set(PLAN_OPTIONS) <= options
    assert docs()[0]["options"]["return_hosts"]["default"] is False
    assert not any(spec.get("no_log") for spec in docs()[0]["options"].values())


def test_documented_remaining_is_what_the_core_returns():
    documented = docs()[1]["remaining"]
    (left,) = run_plan_task({"hosts": [nfv_host()], "requests": [VROUTER]})["remaining"]
    assert set(left) == set(documented["contains"])
    contains = documented["contains"]
    assert set(left["numa"][0]) == set(contains["numa"]["contains"])
    assert set(left["numa"][0]["hugepages"][0]) == set(contains["numa"]["contains"]["hugepages"]["contains"])
    assert set(left["storage_pools"][0]) == set(contains["storage_pools"]["contains"])
    assert set(left["interfaces"][0]) == set(contains["interfaces"]["contains"])
    assert set(documented["sample"][0]) == set(left)
    assert docs()[1]["hosts"]["returned"] == "when O(return_hosts=true)"


def files(mapping):
    """A read_file stand-in serving texts by path, counting reads."""
    reads = []

    def read_file(path, option):
        reads.append((path, option))
        if path not in mapping:
            raise SpecError(option, path, "cannot be read: no such file")
        return mapping[path]

    return read_file, reads


def test_one_file_holds_both_lists_and_is_read_once():
    text = json.dumps({"hosts": args()["hosts"], "requests": args()["requests"]})
    read_file, reads = files({"fleet.json": text})
    result = run_plan_task({"hosts_file": "fleet.json", "requests_file": "fleet.json"}, read_file)
    assert result == run_plan_task(args())
    assert reads == [("fleet.json", "hosts_file")]


def test_files_may_be_yaml_lists():
    read_file, _reads = files({"h.yml": yaml.safe_dump(args()["hosts"]), "r.yml": yaml.safe_dump(args()["requests"])})
    assert run_plan_task({"hosts_file": "h.yml", "requests_file": "r.yml"}, read_file) == run_plan_task(args())


def test_file_data_is_never_templated():
    hosts = [{**nfv_host(), "zone": "{{ lookup('env', 'HOME') }}"}]
    read_file, _reads = files({"h.json": json.dumps(hosts)})
    (left,) = run_plan_task({"hosts_file": "h.json", "requests": []}, read_file)["remaining"]
    assert left["zone"] == "{{ lookup('env', 'HOME') }}"


FROM_FILE = {"hosts_file": "h.json", "requests": []}


@pytest.mark.parametrize(
    "options, texts, option, text",
    [
        (
            {"hosts_file": "h.json", "hosts": [], "requests": []},
            {},
            "hosts_file",
            "cannot be given together with hosts",
        ),
        ({"hosts_file": "gone.json", "requests": []}, {}, "hosts_file", "cannot be read"),
        (
            {"hosts_file": "h.json", "requests": []},
            {"h.json": "{hosts: [unclosed"},
            "hosts_file",
            "neither JSON nor YAML",
        ),
        (FROM_FILE, {"h.json": '{"vms": []}'}, "hosts_file", "without the key 'hosts'"),
        (
            {"hosts_file": "h.json", "requests": []},
            {"h.json": '"kvm01"'},
            "hosts_file",
            "does not hold a list of hosts",
        ),
        ({"hosts": [], "requests_file": "r.json"}, {"r.json": "{}"}, "requests_file", "without the key 'requests'"),
        ({"requests": []}, {}, "hosts", "is required (or hosts_file)"),
    ],
)
def test_bad_files_name_the_option(options, texts, option, text):
    read_file, _reads = files(texts)
    with pytest.raises(SpecError) as caught:
        run_plan_task(options, read_file)
    assert caught.value.option == option
    assert text in str(caught.value)


def test_records_from_a_file_are_checked_like_the_option():
    read_file, _reads = files({"h.json": json.dumps([bad_host(cpu_ratio=2)])})
    with pytest.raises(SpecError) as caught:
        run_plan_task({"hosts_file": "h.json", "requests": []}, read_file)
    assert caught.value.option == "hosts[0]" and "did you mean" in str(caught.value)


def test_read_text_file_names_the_option(tmp_path):
    with pytest.raises(SpecError) as caught:
        read_text_file(str(tmp_path / "missing.json"), "requests_file")
    assert caught.value.option == "requests_file" and "cannot be read" in str(caught.value)
    (tmp_path / "r.json").write_text('[{"name": "vm"}]')
    assert read_text_file(str(tmp_path / "r.json"), "requests_file") == '[{"name": "vm"}]'


class TaggedStr(str):
    """Stands in for the tagged str subclass Ansible hands task arguments over as."""


def test_results_are_plain_built_in_types():
    hosts = [{**nfv_host(), "name": TaggedStr("nfv01"), "pool": TaggedStr("gold")}]
    result = run_plan_task({"hosts": hosts, "requests": [WEB], "return_hosts": True})

    def kinds(value):
        if isinstance(value, dict):
            return {type(value)} | {k for key, item in value.items() for k in kinds(key) | kinds(item)}
        if isinstance(value, list):
            return {type(value)} | {k for item in value for k in kinds(item)}
        return {type(value)}

    assert kinds(result) <= {dict, list, str, int, float, bool, type(None)}
    assert result["placements"][0]["host"] == "nfv01"
