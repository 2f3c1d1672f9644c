"""Placement across hosts: strategies, filters, reasons, determinism, and the MAAS 4-core 12 GB example."""

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.placement import plan
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_requests

from capacity_factory import host


def run(hosts, requests, strategy="pack"):
    return plan(hosts, parse_requests(requests), strategy)


@pytest.mark.parametrize(
    "cpu_ratio, memory_ratio, placed",
    [(2, 1.5, 4), (1, 1.5, 2), (2, 1, 3), (1, 1, 2), (0.5, 1.5, 1)],
)
def test_maas_example_four_core_12_gb_host_takes_four_2_core_4_gb_vms_only_when_both_ratios_allow(
    cpu_ratio, memory_ratio, placed
):
    record = host("kvm", cpus=4, memory=12288, cpu_ratio=cpu_ratio, memory_ratio=memory_ratio)
    result = run([record], [{"name": "vm", "count": 4, "cores": 2, "memory": "4G"}])
    assert len(result["placements"]) == placed
    assert len(result["unplaced"]) == 4 - placed
    for miss in result["unplaced"]:
        assert miss["closest_host"] == "kvm" and miss["resource"] in ("cpu", "memory")


def test_pack_fills_one_host_before_the_next_and_spread_evens_out():
    hosts = [host(f"h{i}", cpus=8, memory=16384) for i in range(3)]
    requests = [{"name": "vm", "count": 3, "cores": 2, "memory": 2048}]
    assert {p["host"] for p in run(hosts, requests, "pack")["placements"]} == {"h0"}
    assert sorted(p["host"] for p in run(hosts, requests, "spread")["placements"]) == ["h0", "h1", "h2"]


def test_pack_prefers_hosts_already_in_use():
    busy = host("zz-busy", cpus=8, memory=16384)
    busy["vms"] = [{"name": "old", "cores": 1, "memory": 1024}]
    result = run([host("aa-empty", cpus=8, memory=16384), busy], [{"name": "new", "cores": 2}])
    assert result["placements"][0]["host"] == "zz-busy"


def test_filters_by_resource_pool_zone_and_host_tags():
    hosts = [
        host("a", pool="prod", zone="z1", tags=["ssd"]),
        host("b", pool="prod", zone="z2", tags=["ssd", "gpu"]),
        host("c", pool="dev", zone="z2", tags=["gpu"]),
    ]
    result = run(
        hosts,
        [
            {"name": "one", "pool": "prod", "zone": "z2"},
            {"name": "two", "host_tags": "gpu", "pool": "dev"},
            {"name": "three", "host_tags": ["ssd", "gpu"]},
            {"name": "four", "zone": "z9"},
        ],
    )
    assert {p["name"]: p["host"] for p in result["placements"]} == {"one": "b", "two": "c", "three": "b"}
    assert result["placements"][0]["pool"] == "prod"
    assert result["unplaced"] == [
        {"name": "four", "reason": "no VM host matches zone=z9.", "closest_host": None, "resource": "filter"}
    ]


def test_unplaced_request_names_the_closest_host_and_the_resource():
    hosts = [
        host("small", cpus=2, memory=2048),
        host("roomy", cpus=16, memory=4096, pages={2 * 1024**2: 256}),
    ]
    result = run(hosts, [{"name": "x", "cores": 8, "memory": 1024, "hugepages_backed": True}])
    (miss,) = result["unplaced"]
    # 'small' fails at vCPUs; 'roomy' passes vCPUs and fails later, at hugepages: it is the closer one.
    assert miss["closest_host"] == "roomy" and miss["resource"] == "hugepages"
    assert miss["reason"].startswith("Host roomy: there are 512 MiB of free 2 MiB hugepages; 1024 MiB requested")


def test_same_input_same_plan():
    hosts = [host(f"h{i}", nodes=2, cpus=4, memory=8192, pages={2 * 1024**2: 512}) for i in range(4)]
    requests = [
        {"name": "p", "count": 5, "cores": 2, "pinned_cores": "auto", "memory": 512, "hugepages_backed": True},
        {"name": "g", "count": 5, "cores": 3, "memory": 3000},
    ]
    for strategy in ("pack", "spread"):
        assert run(hosts, requests, strategy) == run(hosts, requests, strategy)


def test_result_hosts_carry_the_planned_vms_and_remaining_capacity():
    result = run([host("h", cpus=4, memory=8192, cpu_ratio=2)], [{"name": "a", "cores": 3, "memory": 1024}])
    (record,) = result["hosts"]
    assert record["total"]["cores"] == 4 and record["total"]["vcpus"] == 8
    assert record["used"]["cores"] == 3 and record["available"]["cores"] == 5
    assert record["available"]["memory"] == 7168
    assert record["vms"][0]["name"] == "a" and record["vms"][0]["planned"] is True
    # the output record goes back in as input and gives the same figures
    again = plan(result["hosts"], [], "pack")["hosts"][0]
    assert again["available"] == record["available"]


def test_unknown_strategy_and_name_clash_are_refused():
    with pytest.raises(SpecError, match="strategy: 'fill' is not a placement strategy; use one of pack, spread"):
        run([host()], [], "fill")
    record = host()
    record["vms"] = [{"name": "web", "cores": 1, "memory": 512}]
    with pytest.raises(SpecError, match=r"requests\[0\].name: 'web' is already a VM on host h1"):
        run([record], [{"name": "web"}])
    with pytest.raises(SpecError, match="host names are unique"):
        run([host("a"), host("a")], [])


def test_spread_still_considers_hosts_that_took_vms_before_a_new_filter_was_seen():
    # Regression: a filter group first seen late must see the hosts' current state, not a stale one.
    hosts = [host("a", cpus=8, memory=16384, zone="z1"), host("b", cpus=2, memory=16384, zone="z1")]
    result = run(
        hosts,
        [{"name": "first", "cores": 1}, {"name": "second", "cores": 6, "zone": "z1"}],
        "spread",
    )
    assert {p["name"]: p["host"] for p in result["placements"]} == {"first": "a", "second": "a"}
    assert result["unplaced"] == []
