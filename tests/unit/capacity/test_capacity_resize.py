"""capacity.resize: the host without the VM must hold the VM as now asked."""

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.fit import fit
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.resize import resize

from capacity_factory import GIB, host, request


def _with(record, *vms):
    """``record`` with the VMs placed on it, as discovery would list them."""
    for vm in vms:
        alloc = fit(parse_host(record), vm)
        record.setdefault("vms", []).append(dict(alloc, planned=False))
    return record


def test_a_vm_may_grow_into_what_the_others_leave_and_no_further():
    record = _with(host(cpus=4, memory=8192, pool="default"), request("web", cores=2), request("db", cores=2))
    assert resize(record, "web", request("web", cores=2, memory=4096), [])["memory"] == 4096
    with pytest.raises(CapacityError) as refused:
        resize(record, "web", request("web", cores=3), [])
    assert refused.value.resource == "cpu"
    assert [vm["cores"] for vm in record["vms"]] == [2, 2]  # the record is not changed by the check


def test_only_the_growth_of_a_disk_is_new_storage():
    record = _with(host(pool="default"), request("web", storage="root:900"))
    record["storage_pools"][0]["used"] = 900 * 10**9  # its own volume, already counted in the pool
    grown = resize(
        record, "web", request("web", storage="root:950"), [{"name": "root", "pool": "default", "size": 50 * 10**9}]
    )
    assert grown["name"] == "web"
    with pytest.raises(CapacityError) as refused:
        resize(record, "web", request("web"), [{"name": "root", "pool": "default", "size": 200 * GIB}])
    assert refused.value.resource == "storage"


def test_a_pinned_vm_keeps_its_cores_when_they_still_fit():
    record = _with(host(cpus=4, memory=8192, pool="default"), request("web", cores=2, pinned_cores="auto"))
    before = record["vms"][0]["pinned_cores"]
    again = resize(record, "web", request("web", cores=2, pinned_cores="auto", memory=3000), [])
    assert again["pinned_cores"] == before and again["memory"] == 3000
    bigger = resize(record, "web", request("web", cores=3, pinned_cores="auto"), [])
    assert len(bigger["pinned_cores"]) == 3


def test_an_unpinned_vm_keeps_its_placement_and_takes_the_new_pool_and_tags():
    record = _with(host(pool="default"), request("web"))
    moved = resize(record, "web", request("web", pool="gold", tags=["db"]), [])
    assert (moved["pool"], moved["tags"], moved["pinned_cores"]) == ("gold", ["db"], [])
