"""Each capacity rule of DESIGN.md on one host, and the errors the fit raises."""

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.fit import fit
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

from capacity_factory import GIB, PAGE_1G, PAGE_2M, host, request


def state_of(record):
    return parse_host(record, "hosts[0]")


def place(state, name, **options):
    alloc = fit(state, request(name, **options))
    state.commit(alloc)
    return alloc


def refused(state, **options):
    with pytest.raises(CapacityError) as err:
        fit(state, request("refused", **options))
    return err.value


# ---- rule 1: vCPUs --------------------------------------------------------------------------------------------


def test_cpu_error_reads_like_maas_and_names_the_host():
    state = state_of(host("kvm-01", cpus=8, cpu_ratio=0.5))
    err = refused(state, cores=6)
    assert str(err) == "Host kvm-01: CPU overcommit ratio is 0.5 and there are 4 available resources; 6 requested."
    assert (err.resource, err.allowed, err.free, err.requested) == ("cpu", 4, 4, 6)


def test_vcpus_of_every_vm_count_including_stopped_and_pinned_ones():
    record = host(cpus=8, cpu_ratio=1)
    record["vms"] = [
        {"name": "off", "cores": 3, "memory": 512, "power_state": "stopped"},
        {"name": "pin", "cores": 2, "pinned_cores": [6, 7], "memory": 512},
    ]
    state = state_of(record)
    place(state, "ok", cores=3)
    assert refused(state, cores=1).free == 0


def test_reserved_cores_shrink_the_budget():
    state = state_of(host(cpus=8, cpu_ratio=2, reserved={"cores": 4, "memory": 0}))
    assert state.vcpu_budget == 12
    place(state, "a", cores=12, memory=512)
    assert refused(state, cores=1).resource == "cpu"


def test_ratio_zero_admits_nothing():
    assert refused(state_of(host(cpu_ratio=0)), cores=1).allowed == 0


# ---- rule 2: pinned cores --------------------------------------------------------------------------------------


def test_explicit_core_that_does_not_exist_is_refused():
    err = refused(state_of(host(cpus=4)), pinned_cores=[9])
    assert err.resource == "pinned_cores" and "pinned core 9 does not exist" in str(err)


def test_explicit_offline_core_is_refused():
    record = host()
    record["numa"][0]["cpus"] = [{"id": 0}, {"id": 1, "online": False}]
    err = refused(state_of(record), pinned_cores=[1])
    assert "pinned core 1 is offline" in str(err)


def test_a_core_is_pinned_by_one_vm_at_most():
    state = state_of(host(cpus=4, cpu_ratio=4))
    place(state, "first", pinned_cores=[0, 1])
    err = refused(state, pinned_cores=[1, 2])
    assert "core 1 is already pinned by VM 'first'" in str(err)


def test_pinned_cores_are_never_overcommitted_whatever_the_ratio():
    state = state_of(host(cpus=4, cpu_ratio=10))
    place(state, "big", cores=3, pinned_cores="auto")
    err = refused(state, cores=2, pinned_cores="auto")
    assert err.resource == "pinned_cores"
    assert "there are 1 cores free to pin; 2 requested" in str(err)
    place(state, "floating", cores=30)  # unpinned vCPUs may still use the overcommitted budget


def test_auto_pinning_prefers_isolated_then_whole_cores():
    record = host()
    # 2 sockets' worth of SMT pairs on one node: cores (0,4) (1,5) (2,6) (3,7); core 3 is isolated.
    record["numa"][0]["cpus"] = [{"id": i, "core": i % 4, "isolated": i % 4 == 3} for i in range(8)]
    state = state_of(record)
    assert place(state, "a", cores=2, pinned_cores="auto")["pinned_cores"] == [3, 7]
    assert place(state, "b", cores=3, pinned_cores="auto")["pinned_cores"] == [0, 1, 4]
    # the odd thread left over (5) is used before a whole core (2,6) is broken
    assert place(state, "c", cores=1, pinned_cores="auto")["pinned_cores"] == [5]


# ---- rule 3: general memory -------------------------------------------------------------------------------------


def test_memory_error_names_ratio_free_and_request():
    state = state_of(host(memory=8192, memory_ratio=1))
    err = refused(state, memory=9000)
    assert str(err) == (
        "Host h1: Memory overcommit ratio is 1.0 and there are 8192 MiB available resources; 9000 MiB requested."
    )


def test_hugepage_pool_is_not_overcommitted_general_memory():
    # 16 GiB with 8 GiB of 2 MiB pages and ratio 2: general budget is (16 - 8) * 2 = 16 GiB, not 32.
    state = state_of(host(memory=16384, pages={PAGE_2M: 4096}, memory_ratio=2))
    assert state.general_budget == 16384
    place(state, "general", memory=16384)
    assert refused(state, memory=1).resource == "memory"
    # the pages are still all there for a hugepage-backed VM
    place(state, "paged", memory=8192, hugepages_backed=True)


def test_reserved_memory_comes_off():
    state = state_of(host(memory=8192, reserved={"cores": 0, "memory": 1024}))
    assert refused(state, memory=7200).free == 7168


# ---- rule 4: hugepages -------------------------------------------------------------------------------------------


def test_hugepages_take_whole_pages_of_one_size_from_the_node():
    state = state_of(host(nodes=2, memory=8192, pages={PAGE_2M: 1024}))
    alloc = place(state, "a", memory=1024, hugepages_backed=True)
    assert alloc["hugepages"] == [{"node_id": 0, "page_size": PAGE_2M, "count": 512}]
    assert alloc["numanode_set"] == [0]


def test_largest_page_size_that_divides_the_memory_is_chosen():
    state = state_of(host(memory=8192, pages={PAGE_2M: 512, PAGE_1G: 2}))
    assert place(state, "a", memory=2048, hugepages_backed=True)["hugepages"][0]["page_size"] == PAGE_1G
    assert place(state, "b", memory=1000, hugepages_backed=True)["hugepages"][0]["page_size"] == PAGE_2M


def test_hugepages_are_never_overcommitted_whatever_the_ratio():
    state = state_of(host(memory=8192, pages={PAGE_2M: 512}, memory_ratio=10))
    place(state, "a", memory=768, hugepages_backed=True)
    err = refused(state, memory=512, hugepages_backed=True)
    assert err.resource == "hugepages"
    assert "there are 256 MiB of free 2 MiB hugepages; 512 MiB requested" in str(err)


def test_memory_must_be_a_multiple_of_the_page_size():
    state = state_of(host(memory=8192, pages={PAGE_1G: 4}))
    err = refused(state, memory=1536, hugepages_backed=True)
    assert err.resource == "hugepages" and "not a whole number of any reserved hugepages" in str(err)


def test_asked_page_size_must_be_reserved_on_the_host():
    state = state_of(host(memory=8192, pages={PAGE_2M: 512}))
    err = refused(state, memory=1024, hugepages_backed=True, hugepage_size="1G")
    assert "no 1 GiB hugepages are reserved on the host (reserved page sizes: 2 MiB)" in str(err)


def test_hugepages_follow_explicit_pinned_cores_to_their_node():
    state = state_of(host(nodes=2, cpus=4, memory=8192, pages={PAGE_2M: 1024}))
    alloc = place(state, "a", pinned_cores=[5, 6], memory=1024, hugepages_backed=True)
    assert alloc["numanode_set"] == [1]
    assert alloc["hugepages"] == [{"node_id": 1, "page_size": PAGE_2M, "count": 512}]


def test_explicit_cores_whose_node_lacks_pages_are_refused():
    record = host(nodes=2, cpus=4, memory=8192, pages={PAGE_2M: 1024})
    record["numa"][1]["memory"]["hugepages"] = []
    err = refused(state_of(record), pinned_cores=[5], memory=1024, hugepages_backed=True)
    assert err.resource == "hugepages" and "NUMA nodes [1]" in str(err)


# ---- rule 5: NUMA ------------------------------------------------------------------------------------------------


def test_one_node_when_one_can_hold_it_best_fit():
    state = state_of(host(nodes=2, cpus=4))
    place(state, "a", cores=3, pinned_cores="auto")  # node 0 left with one core
    alloc = place(state, "b", cores=1, pinned_cores="auto")
    assert alloc["numanode_set"] == [0] and not alloc["spans_numa_nodes"]


def test_spans_the_fewest_nodes_and_says_so():
    state = state_of(host(nodes=4, cpus=4, cpu_ratio=1))
    place(state, "a", cores=2, pinned_cores="auto")
    alloc = place(state, "wide", cores=8, pinned_cores="auto")
    assert len(alloc["numanode_set"]) == 2 and alloc["spans_numa_nodes"]
    assert alloc["notes"] and "spans NUMA nodes" in alloc["notes"][0]
    for cpu in alloc["pinned_cores"]:
        assert state.cpus[cpu].node in alloc["numanode_set"]


def test_strict_request_fails_instead_of_spanning():
    state = state_of(host(nodes=2, cpus=4))
    err = refused(state, cores=6, pinned_cores="auto", numa_strict=True)
    assert err.resource == "numa"
    assert "numa_strict forbids spanning" in str(err) and "node 0: 4 free cores" in str(err)


def test_strict_explicit_cores_on_two_nodes_are_refused():
    err = refused(state_of(host(nodes=2, cpus=2)), pinned_cores=[1, 2], numa_strict=True)
    assert "lie on NUMA nodes [0, 1]" in str(err)


def test_hugepages_span_nodes_when_no_node_has_enough():
    state = state_of(host(nodes=2, memory=8192, pages={PAGE_2M: 1024}))
    alloc = place(state, "big", memory=3072, hugepages_backed=True)
    assert sorted(h["node_id"] for h in alloc["hugepages"]) == [0, 1]
    assert sum(h["count"] for h in alloc["hugepages"]) == 1536


def test_pinned_general_memory_is_bound_to_the_node():
    # Each node has 4 GiB; a pinned VM's memory is bound to its node, so a 6 GiB pinned VM spans two nodes.
    state = state_of(host(nodes=3, cpus=4, memory=4096))
    alloc = place(state, "a", cores=2, pinned_cores="auto", memory=6144)
    assert alloc["spans_numa_nodes"]
    assert place(state, "b", cores=1, pinned_cores="auto", memory=3072, numa_strict=True)["numanode_set"] == [2]
    # 3 GiB of general memory are left on the host, but no node can bind more than 2 GiB of it.
    assert state.free_general == 3072
    err = refused(state, cores=1, pinned_cores="auto", memory=3072, numa_strict=True)
    assert err.resource == "numa" and "2048 MiB bindable memory" in str(err)


# ---- rule 6: storage ---------------------------------------------------------------------------------------------


def pools_host():
    return host(
        storage_pools=[
            {"name": "default", "total": 100 * GIB, "used": 90 * GIB, "default": True},
            {"name": "ssd", "total": 200 * GIB, "used": 0, "tags": ["fast"]},
            {"name": "big", "total": 900 * GIB, "used": 0, "tags": ["fast", "bulk"]},
        ]
    )


def test_explicit_pool_beats_tag_beats_default():
    state = state_of(pools_host())
    alloc = fit(state, request("a", disks=[{"size": "5G", "pool": "ssd", "tags": ["bulk"]}, {"size": "5G"}]))
    assert [d["pool"] for d in alloc["disks"]] == ["ssd", "default"]
    alloc = fit(state, request("b", storage="root:5(ssd),data:5(fast),more:5(bulk)"))
    assert [d["pool"] for d in alloc["disks"]] == ["ssd", "big", "big"]


def test_pool_with_most_room_when_there_is_no_default():
    record = pools_host()
    record["storage_pools"][0]["default"] = False
    assert fit(state_of(record), request("a"))["disks"][0]["pool"] == "big"


def test_disks_of_one_request_add_up_and_storage_is_not_overcommitted():
    state = state_of(pools_host())
    err = refused(state, disks=[{"size": "6GiB"}, {"size": "5GiB"}])
    assert err.resource == "storage"
    assert "storage pool 'default' has 4 GiB available; disk 'disk1' needs 5 GiB" in str(err)


def test_unknown_pool_and_unknown_tag_are_refused():
    state = state_of(pools_host())
    assert "storage pool 'nope' for disk 'root' does not exist" in str(
        refused(state, disks=[{"size": 1, "pool": "nope"}])
    )
    assert "no storage pool is named or tagged gold" in str(refused(state, storage="root:1(gold)"))


def test_planned_disks_count_against_the_pool():
    state = state_of(pools_host())
    place(state, "a", disks=[{"size": "10G", "pool": "ssd"}])
    assert state.pools["ssd"].free == 190 * GIB  # '10G' is binary: 10 GiB


# ---- rule 7: NICs and SR-IOV -------------------------------------------------------------------------------------


def nic_host():
    return host(
        nodes=2,
        interfaces=[
            {"name": "br0", "type": "bridge", "default": True, "subnets": ["10.0.0.0/24"], "spaces": ["mgmt"]},
            {"name": "br1", "type": "bridge", "vlans": [42], "spaces": ["storage"], "subnets": ["10.1.0.0/16"]},
            {"name": "enp1", "type": "physical", "numa_node": 0, "sriov_max_vf": 1, "spaces": ["storage"]},
            {"name": "enp2", "type": "physical", "numa_node": 1, "sriov_max_vf": 4, "spaces": ["storage"]},
            {"name": "maas", "type": "network", "networks": ["maas"]},
        ],
    )


def test_nics_follow_space_subnet_vlan_ip_and_network():
    state = state_of(nic_host())
    alloc = fit(
        state,
        request(
            "a",
            interfaces="eth0:;eth1:space=storage;eth2:vlan=42;eth3:ip=10.1.2.3;eth4:subnet=10.1.5.0/24;eth5:network=maas",
        ),
    )
    assert [n["host_interface"] for n in alloc["interfaces"]] == ["br0", "br1", "br1", "br1", "br1", "maas"]


def test_sriov_takes_a_free_vf_preferring_the_vms_numa_node():
    state = state_of(nic_host())
    alloc = place(state, "a", cores=1, pinned_cores=[1], interfaces="eth0:space=storage,mode=sriov")
    assert alloc["interfaces"][0]["host_interface"] == "enp1" and alloc["interfaces"][0]["vf"]
    alloc = place(state, "b", cores=1, pinned_cores=[2], interfaces="eth0:space=storage,mode=sriov")
    assert alloc["interfaces"][0]["host_interface"] == "enp2"  # enp1's only VF is taken


def test_no_free_vf_is_refused():
    record = nic_host()
    record["interfaces"][2]["sriov_used_vf"] = 1
    record["interfaces"][3]["sriov_used_vf"] = 4
    err = refused(state_of(record), interfaces="eth0:mode=sriov")
    assert err.resource == "sriov" and "enp1 0 of 1, enp2 0 of 4" in str(err)


def test_nic_with_unmet_constraint_is_refused():
    err = refused(state_of(nic_host()), interfaces="eth0:space=dmz")
    assert err.resource == "network" and "space=dmz" in str(err)


# ---- record validation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, option",
    [
        ({"cpu_over_commit_ratio": 11}, "hosts[0].cpu_over_commit_ratio"),
        ({"memory_over_commit_ratio": "lots"}, "hosts[0].memory_over_commit_ratio"),
        ({"numa": []}, "hosts[0].numa"),
        ({"default_storage_pool": "nope"}, "hosts[0].default_storage_pool"),
        ({"name": ""}, "hosts[0].name"),
    ],
)
def test_bad_records_name_the_option(change, option):
    record = host()
    record.update(change)
    with pytest.raises(ValueError) as err:
        state_of(record)
    assert str(err.value).startswith(option)


def test_hugepage_pool_larger_than_node_memory_is_refused():
    with pytest.raises(SpecError, match="more than the node's 1024 MiB"):
        state_of(host(memory=1024, pages={PAGE_2M: 1024}))


def test_duplicate_cpu_ids_across_nodes_are_refused():
    record = host(nodes=2)
    record["numa"][1]["cpus"] = [0]
    with pytest.raises(SpecError, match="already listed"):
        state_of(record)


def test_sriov_request_is_steered_to_the_node_of_a_free_vf():
    record = nic_host()
    record["interfaces"][2]["sriov_max_vf"] = 0  # only enp2, on node 1, has VFs
    alloc = fit(state_of(record), request("a", cores=2, pinned_cores="auto", interfaces="eth0:mode=sriov"))
    assert alloc["numanode_set"] == [1] and alloc["interfaces"][0]["host_interface"] == "enp2"
    assert alloc["notes"] == []


def test_a_vf_off_the_vms_node_is_noted():
    record = nic_host()
    record["interfaces"][2]["sriov_max_vf"] = 0
    alloc = fit(state_of(record), request("a", pinned_cores=[0, 1], interfaces="eth0:mode=sriov"))
    assert alloc["numanode_set"] == [0]
    assert alloc["notes"] == [
        "NIC eth0 gets a VF of enp2 on NUMA node 1, not on the VM's node(s) [0]: no local VF was free"
    ]
