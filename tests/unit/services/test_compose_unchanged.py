"""vm_compose_service's unchanged run: judged on the driver's targeted read of the one VM, without the lock.

A VM as asked is answered from ``read_vm`` alone (never a whole read of the host); what a caller that read the
host already passes as ``inventory`` is used instead; anything else (drift, a change, a dead compose's record, a
VM not composed by the collection) goes the locked way, which reads the whole host.
"""

from fake_params import compose_params

from ansible_collections.vmfleet.hosts.plugins.module_utils import vm_compose_service as service
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_compose_service import compose

OWNER = "vm_compose web"


def _composed(driver, clock, **params):
    compose(driver, compose_params(**params), False, clock)
    driver.reads.clear()
    driver.calls.clear()


def test_an_unchanged_vm_is_read_alone_and_answered_as_the_locked_way_would(driver, clock):
    _composed(driver, clock, storage="root:10")
    result = compose(driver, compose_params(storage="root:10"), False, clock)
    assert driver.reads == [("read_vm", "web")] and driver.calls == []
    assert result["changed"] is False and result["created"] is False and result["diff"] == {}
    # check mode skips the unchanged shortcut: its answer, from a whole read of the host, is the same one
    checked = compose(driver, compose_params(storage="root:10"), True, clock)
    assert ("inventory",) in driver.reads
    assert checked == result


def test_inventory_given_is_used_instead_of_the_targeted_read(driver, clock):
    _composed(driver, clock)
    request, options = service.parse(compose_params(), driver)
    inventory = driver.inventory()
    driver.reads.clear()
    given = service._unchanged(driver, OWNER, request, options, inventory=inventory)
    assert driver.reads == []
    assert given == service._unchanged(driver, OWNER, request, options)
    assert given["vm"] == next(vm for vm in inventory.record["vms"] if vm["name"] == "web")


def test_no_such_vm_is_none_either_way(driver):
    request, options = service.parse(compose_params(), driver)
    assert service._unchanged(driver, OWNER, request, options) is None
    assert service._unchanged(driver, OWNER, request, options, inventory=driver.inventory()) is None


def test_drift_seen_by_the_targeted_read_goes_the_locked_way(driver, clock):
    _composed(driver, clock, storage="root:10,data:5")
    driver.vms["web"]["drift"] = [{"kind": "volume_missing", "what": "default/web-data"}]
    request, options = service.parse(compose_params(storage="root:10,data:5"), driver)
    assert service._unchanged(driver, OWNER, request, options) is None
    assert service._unchanged(driver, OWNER, request, options, inventory=driver.inventory()) is None


def test_a_change_or_an_unmanaged_vm_goes_the_locked_way(driver, clock):
    _composed(driver, clock)
    grown, options = service.parse(compose_params(cores=3), driver)
    assert service._unchanged(driver, OWNER, grown, options) is None
    driver.vms["web"]["managed"] = False
    same, options = service.parse(compose_params(), driver)
    assert service._unchanged(driver, OWNER, same, options) is None


def test_a_pending_compose_record_goes_the_locked_way(driver, clock):
    _composed(driver, clock)
    driver.lock_store["compose.lock-job-dead"] = {"vm": "other", "volumes": []}
    request, options = service.parse(compose_params(), driver)
    assert service._unchanged(driver, OWNER, request, options) is None
