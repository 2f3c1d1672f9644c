"""A VM's vms[] entry has one shape, whether the core placed it, read it from a record or a driver listed it."""

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.fit import fit
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host, parse_vm
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.summary import public_alloc
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.vm_entry import vm_entry

from capacity_factory import host, request

SHAPE = set(vm_entry("x", "h", 1, 1))


def test_a_placement_and_its_reading_back_have_the_entry_s_shape():
    placed = fit(parse_host(host(nodes=2, pool="default")), request("web", cores=2, pinned_cores="auto"))
    assert set(public_alloc(placed)) == SHAPE
    again = parse_vm(public_alloc(placed), "vms[0]", "h1", {c: 0 if c < 4 else 1 for c in range(8)})
    assert set(public_alloc(again)) == SHAPE
    assert {k: again[k] for k in SHAPE - {"planned"}} == {k: placed[k] for k in SHAPE - {"planned"}}


def test_spans_numa_nodes_follows_the_nodes():
    assert vm_entry("a", "h", 2, 512, numanode_set=[0, 1])["spans_numa_nodes"] is True
    assert vm_entry("a", "h", 2, 512, numanode_set=[1])["spans_numa_nodes"] is False
