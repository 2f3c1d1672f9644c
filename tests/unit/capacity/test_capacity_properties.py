"""Property tests: random topologies and request streams never break the capacity rules.

Every plan is checked against the rules recomputed from the output records alone, so a bug in the core's own
bookkeeping cannot hide itself.
"""

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity import policy
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.fit import fit
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.numa import Need, best_single_node
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.placement import plan
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_request

MIB = 1024**2
PAGE_SIZES = (2 * MIB, 1024 * MIB)
RATIOS = st.sampled_from([0.5, 1, 1.5, 2, 4, 10])


@st.composite
def host_records(draw, name="h"):
    nodes = draw(st.integers(1, 4))
    threads = draw(st.sampled_from([1, 2]))
    numa, next_id = [], 0
    for node_id in range(nodes):
        cores = draw(st.integers(1, 4))
        cpus = []
        for _core in range(cores):
            for _thread in range(threads):
                cpus.append(
                    {
                        "id": next_id,
                        "core": next_id // threads,
                        "online": draw(st.integers(0, 9)) > 0,  # one cpu in ten offline
                        "isolated": draw(st.booleans()),
                    }
                )
                next_id += 1
        memory = draw(st.integers(1, 16)) * 1024
        pages = []
        small = draw(st.integers(0, memory // 4))  # up to half the node in 2 MiB pages
        if small:
            pages.append({"page_size": 2 * MIB, "total": small})
        if memory - small * 2 >= 2048 and draw(st.booleans()):
            pages.append({"page_size": 1024 * MIB, "total": draw(st.integers(1, (memory - small * 2) // 2048))})
        numa.append({"node_id": node_id, "cpus": cpus, "memory": {"total": memory, "hugepages": pages}})
    return {
        "name": name,
        "cpu_over_commit_ratio": draw(RATIOS),
        "memory_over_commit_ratio": draw(RATIOS),
        "reserved": {"cores": draw(st.integers(0, 2)), "memory": draw(st.integers(0, 1024))},
        "numa": numa,
        "storage_pools": [
            {"name": "default", "total": draw(st.integers(0, 200)) * 10**9, "used": 0, "default": True},
            {"name": "fast", "total": draw(st.integers(0, 100)) * 10**9, "used": 0, "tags": ["ssd"]},
        ],
        "interfaces": [
            {"name": "br0", "type": "bridge", "default": True},
            {"name": "enp1", "type": "physical", "numa_node": 0, "sriov_max_vf": draw(st.integers(0, 3))},
        ],
    }


@st.composite
def requests(draw, index=0):
    cores = draw(st.integers(1, 6))
    kind = draw(st.sampled_from(["plain", "pinned", "explicit", "hugepages", "both"]))
    options = {"name": f"r{index}", "cores": cores, "memory": draw(st.sampled_from([256, 512, 1024, 2048, 3000]))}
    if kind in ("pinned", "both"):
        options["pinned_cores"] = "auto"
    if kind == "explicit":
        options["pinned_cores"] = sorted(draw(st.sets(st.integers(0, 15), min_size=1, max_size=4)))
        options["cores"] = len(options["pinned_cores"])
    if kind in ("hugepages", "both"):
        options["hugepages_backed"] = True
        options["memory"] = draw(st.sampled_from([512, 1024, 2048, 4096]))
    options["numa_strict"] = draw(st.booleans())
    options["storage"] = draw(st.sampled_from(["root:8", "root:20,data:30(ssd)", "root:50(ssd)"]))
    options["interfaces"] = draw(st.sampled_from([[], "eth0:", "eth0:mode=sriov"]))
    return parse_request(options, f"requests[{index}]")


@st.composite
def streams(draw, max_size=25):
    return [draw(requests(i)) for i in range(draw(st.integers(1, max_size)))]


def check_rules(record):
    """Recompute every rule from an output record."""
    cpus = {c["id"]: (node["node_id"], c) for node in record["numa"] for c in node["cpus"]}
    online = sum(1 for _node, c in cpus.values() if c["online"])
    vms = record["vms"]
    # rule 1
    budget = policy.vcpu_budget(online, record["cpu_over_commit_ratio"], record["reserved"]["cores"])
    assert sum(vm["cores"] for vm in vms if vm.get("planned")) <= max(budget, 0) or not any(
        vm.get("planned") for vm in vms
    )
    assert sum(vm["cores"] for vm in vms) <= budget or not vms
    # rule 2
    pinned = Counter(c for vm in vms for c in vm["pinned_cores"])
    assert all(count == 1 for count in pinned.values()), pinned
    for cpu in pinned:
        assert cpu in cpus and cpus[cpu][1]["online"]
    # rule 3
    memory = sum(n["memory"]["total"] for n in record["numa"])
    pool = sum(h["page_size"] * h["total"] for n in record["numa"] for h in n["memory"]["hugepages"]) // MIB
    general = policy.general_memory_budget(
        memory, pool, record["reserved"]["memory"], record["memory_over_commit_ratio"]
    )
    assert sum(vm["memory"] for vm in vms if not vm["hugepages_backed"]) <= general or not vms
    # rule 4 and 5: pages per node and size, pages cover the memory, reported nodes hold cores and pages
    taken = Counter()
    for vm in vms:
        if vm["hugepages_backed"]:
            assert len({h["page_size"] for h in vm["hugepages"]}) == 1
            assert sum(h["page_size"] * h["count"] for h in vm["hugepages"]) == vm["memory"] * MIB
            for h in vm["hugepages"]:
                taken[(h["node_id"], h["page_size"])] += h["count"]
                assert h["node_id"] in vm["numanode_set"]
        for cpu in vm["pinned_cores"]:
            assert cpus[cpu][0] in vm["numanode_set"]
        assert vm["spans_numa_nodes"] == (len(vm["numanode_set"]) > 1)
    for node in record["numa"]:
        for h in node["memory"]["hugepages"]:
            assert taken[(node["node_id"], h["page_size"])] <= h["total"]
            assert h["free"] == h["total"] - taken[(node["node_id"], h["page_size"])]
    # rule 6 and 7
    for p in record["storage_pools"]:
        assert p["used"] <= p["total"]
    for i in record["interfaces"]:
        assert i["sriov_used_vf"] <= i["sriov_max_vf"]


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(host_records(), streams(), st.sampled_from(["pack", "spread"]))
def test_plans_never_break_the_rules(record, stream, strategy):
    result = plan([record], stream, strategy)
    check_rules(result["hosts"][0])
    assert len(result["placements"]) + len(result["unplaced"]) == len(stream)
    for miss in result["unplaced"]:
        assert miss["reason"].startswith("Host h: ")


@PROPERTY
@given(host_records(), streams(15))
def test_numa_vms_use_one_node_whenever_one_node_could_hold_them(record, stream):
    state = parse_host(record)
    for request in stream:
        try:
            alloc = fit(state, request)
        except CapacityError:
            continue
        if alloc["spans_numa_nodes"]:
            assert not request["numa_strict"]
            pin = request["cores"] if request["pinned_cores"] == "auto" else 0
            if isinstance(request["pinned_cores"], list):
                pin = None  # explicit cores decide the nodes themselves
            if pin is not None:
                if request["hugepages_backed"]:
                    needs = [
                        Need(pin, request["memory"] * MIB // s, s, 0)
                        for s in state.page_sizes()
                        if request["memory"] * MIB % s == 0
                    ]
                else:
                    needs = [Need(pin, 0, None, request["memory"])]
                assert all(best_single_node(state, need) is None for need in needs)
        state.commit(alloc)


@settings(max_examples=100, deadline=None)
@given(host_records(), st.integers(2, 6), streams(30))
def test_pack_uses_no_more_hosts_than_spread_on_identical_hosts(record, count, stream):
    # On identical hosts spread opens a new host for every request that fits an empty one, while pack opens one
    # only when no open host holds the request; on mixed fleets bin packing gives no such guarantee.
    hosts = [dict(record, name=f"h{i}") for i in range(count)]
    used = {}
    for strategy in ("pack", "spread"):
        result = plan(hosts, stream, strategy)
        used[strategy] = len({p["host"] for p in result["placements"]})
        for host_record in result["hosts"]:
            check_rules(host_record)
    assert used["pack"] <= used["spread"]


@settings(max_examples=50, deadline=None)
@given(st.lists(host_records(), min_size=1, max_size=4), streams(20), st.sampled_from(["pack", "spread"]))
def test_same_input_gives_the_same_plan(records, stream, strategy):
    hosts = [dict(r, name=f"h{i}") for i, r in enumerate(records)]
    assert plan(hosts, stream, strategy) == plan(hosts, stream, strategy)
