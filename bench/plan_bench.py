"""Placement benchmark: prints figures, never fails on time (`make bench`).

1. 10,000 requests (plain, pinned, hugepage-backed, multi-disk, and 1% that fit nowhere) planned onto 1,000
   hosts of 2-8 NUMA nodes, for both strategies; the figure covers the whole plan() call, including validating
   the host records and writing the result records.
2. One request that needs 8 NUMA nodes fitted on a 16-node host (Nova took about 3 s for this after its fix).

Inputs come from a seeded generator, so runs are comparable. Each figure is the best of several runs.
"""

import random
import sys
import time

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.fit import fit
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.placement import plan
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_request, parse_requests

MIB = 1024**2
GB = 10**9


def make_host(rng, index):
    nodes = rng.randint(2, 8)
    cores_per_node = rng.choice([4, 8, 12, 16])
    memory = rng.choice([32768, 65536, 131072])
    numa, cpu = [], 0
    for node_id in range(nodes):
        cpus = [{"id": cpu + i, "core": (cpu + i) // 2, "isolated": i < 2} for i in range(cores_per_node * 2)]
        cpu += cores_per_node * 2
        numa.append(
            {
                "node_id": node_id,
                "cpus": cpus,
                "memory": {"total": memory, "hugepages": [{"page_size": 2 * MIB, "total": memory // 8}]},
            }
        )
    return {
        "name": f"host-{index:04d}",
        "zone": f"zone-{index % 4}",
        "cpu_over_commit_ratio": rng.choice([1, 2, 4]),
        "memory_over_commit_ratio": rng.choice([1, 1.5]),
        "numa": numa,
        "storage_pools": [
            {"name": "default", "total": 4000 * GB, "used": 0, "default": True},
            {"name": "ssd", "total": 2000 * GB, "used": 0, "tags": ["ssd"]},
        ],
        "interfaces": [{"name": "br0", "type": "bridge", "default": True}],
    }


def make_request(rng, index):
    kind = rng.random()
    request = {"name": f"vm-{index:05d}", "cores": rng.choice([1, 2, 4, 8]), "memory": rng.choice([2048, 4096, 8192])}
    if kind < 0.2:
        request["pinned_cores"] = "auto"
    elif kind < 0.35:
        request.update(hugepages_backed=True, pinned_cores="auto")
    elif kind < 0.45:
        request["hugepages_backed"] = True
    elif kind > 0.99:
        request["cores"] = 512  # fits nowhere: exercises the search for the closest host and its reason
    if rng.random() < 0.3:
        request["storage"] = "root:20,data:100(ssd),logs:50"
    else:
        request["storage"] = "root:20"
    request["interfaces"] = "eth0:"
    return request


def best_of(runs, func):
    times, result = [], None
    for _run in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def fleet_benchmark():
    rng = random.Random(20261121)
    hosts = [make_host(rng, i) for i in range(1000)]
    raw = [make_request(rng, i) for i in range(10000)]
    parse_time, requests = best_of(3, lambda: parse_requests(raw))
    print(f"parse 10,000 requests:                         {parse_time * 1000:8.1f} ms")
    for strategy in ("pack", "spread"):
        seconds, result = best_of(3, lambda s=strategy: plan(hosts, requests, s))
        used = len({p["host"] for p in result["placements"]})
        print(
            f"plan 10,000 requests on 1,000 hosts ({strategy:6}): {seconds * 1000:8.1f} ms  "
            f"placed {len(result['placements'])}, unplaced {len(result['unplaced'])}, hosts used {used}"
        )


def wide_numa_benchmark():
    # 16 nodes x 4 cores x 4 GiB of 2 MiB pages; 32 pinned cores and 32 GiB of hugepages need 8 nodes.
    record = {
        "name": "numa16",
        "numa": [
            {
                "node_id": n,
                "cpus": [{"id": n * 4 + i, "core": n * 4 + i} for i in range(4)],
                "memory": {"total": 8192, "hugepages": [{"page_size": 2 * MIB, "total": 2048}]},
            }
            for n in range(16)
        ],
        "storage_pools": [{"name": "default", "total": 1000 * GB, "used": 0, "default": True}],
    }
    request = parse_request(
        {"name": "wide", "cores": 32, "pinned_cores": "auto", "memory": "32G", "hugepages_backed": True}
    )
    state = parse_host(record)
    seconds, alloc = best_of(20, lambda: fit(state, request))
    print(f"fit one 8-node request on a 16-node host:      {seconds * 1000:8.2f} ms  nodes {alloc['numanode_set']}")
    seconds, _alloc = best_of(20, lambda: fit(parse_host(record), request))
    print(f"  same, including parsing the host record:     {seconds * 1000:8.2f} ms")


if __name__ == "__main__":
    print(f"Python {sys.version.split()[0]}; best of several runs; figures only, no pass/fail on time")
    fleet_benchmark()
    wide_numa_benchmark()
