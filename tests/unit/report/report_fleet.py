"""A synthetic fleet with every finding the report knows, built on the capacity tests' record builders."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "capacity"))

from capacity_factory import GIB, PAGE_1G, host  # noqa: E402

SRIOV = "ens1f0"


def nfv_host(**extra):
    """Two NUMA nodes of 8 cpus and 4 x 1 GiB pages each; an SR-IOV NIC on node 1 with both VFs taken.

    vrouter pins cores 0-1 on node 0 but its VF is on node 1 (misaligned); wide pins 6-9 over both nodes; probe
    pins core 1 as well (a core pinned twice, which only a VM made outside the collection can do); hungry holds 6
    of node 1's 4 pages.
    """
    record = host(
        "nfv-1",
        nodes=2,
        cpus=8,
        memory=32768,
        pages={PAGE_1G: 4},
        type="libvirt",
        zone="az1",
        tags=["nfv"],
        interfaces=[
            {"name": "br0", "type": "bridge", "default": True},
            {"name": SRIOV, "type": "physical", "numa_node": 1, "sriov_max_vf": 2, "sriov_used_vf": 2},
        ],
        vms=[
            {
                "name": "vrouter",
                "pinned_cores": [0, 1],
                "memory": 2048,
                "hugepages_backed": True,
                "hugepages": [{"node_id": 0, "page_size": PAGE_1G, "count": 2}],
                "numanode_set": [0],
                "interfaces": [{"name": "eth0", "host_interface": SRIOV, "mode": "sriov", "vf": True}],
                "disks": [{"name": "root", "pool": "default", "size": 20 * 10**9}],
                "power_state": "running",
                "tags": ["edge"],
                "notes": ["made with <b>virsh</b> & friends"],
            },
            {
                "name": "wide",
                "pinned_cores": [6, 7, 8, 9],
                "memory": 4096,
                "interfaces": [{"name": "eth0", "host_interface": "br0", "mode": "bridge"}],
                "power_state": "shut off",
            },
            {"name": "probe", "pinned_cores": [1], "memory": 512, "power_state": "running"},
            {
                "name": "hungry",
                "cores": 1,
                "memory": 6144,
                "hugepages_backed": True,
                "hugepages": [{"node_id": 1, "page_size": PAGE_1G, "count": 6}],
                "numanode_set": [1],
                "power_state": "shut off",
            },
        ],
    )
    record.update(extra)
    return record


def crowded_host():
    """One node, 4 cpus at ratio 1 and 8 GiB: VMs made outside the collection take 6 vCPUs and 10 GiB; one pool 95 %
    full, one holding more than its size, and 1 GiB hugepages over-given on the node."""
    return host(
        "crowded",
        cpus=4,
        memory=8192,
        type="lxd",
        pool="edge",
        zone="az2",
        storage_pools=[
            {"name": "fast", "type": "zfs", "total": 100 * GIB, "used": 95 * GIB, "default": True},
            {"name": "spill", "type": "dir", "total": 10 * GIB, "used": 12 * GIB},  # available: total - used, below 0
        ],
        vms=[
            {"name": "big-a", "cores": 4, "memory": 6144, "power_state": "running"},
            {"name": "big-b", "cores": 2, "memory": 4096, "power_state": "stopped"},
        ],
    )


def fleet():
    return [nfv_host(), crowded_host()]
