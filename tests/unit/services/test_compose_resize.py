"""vm_compose_service resizing an existing VM on the fake driver: cores, memory, disks, capacity, restarts."""

import pytest
from fake_params import compose_params

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_compose_service import compose

GB = 10**9


def _made(driver, clock, running=False, **given):
    compose(driver, compose_params(**given), False, clock)
    driver.vms["web"]["running"] = running
    driver.calls.clear()


def test_more_cores_and_memory_are_written_and_applied_live(driver, clock):
    _made(driver, clock, running=True)
    result = compose(driver, compose_params(cores=3, memory="2048"), False, clock)
    assert result["changed"] is True and result["created"] is False and result["restart_required"] is False
    assert result["vm"]["cores"] == 3 and result["vm"]["memory"] == 2048
    assert driver.calls == [("redefine", "web"), ("live_resize", "web", 3, 2048)]
    assert result["diff"]["before"]["request"]["cores"] == 2 and result["diff"]["after"]["request"]["cores"] == 3
    assert driver.vms["web"]["stored"]["request"]["cores"] == 3


def test_a_size_the_running_vm_cannot_take_live_asks_for_a_restart(driver, clock):
    _made(driver, clock, running=True)
    driver.hot_resize = False
    result = compose(driver, compose_params(cores=3), False, clock)
    assert result["restart_required"] is True and ("power", "web", "restart") not in driver.calls


def test_allow_restart_restarts_it_then(driver, clock):
    _made(driver, clock, running=True)
    driver.hot_resize = False
    result = compose(driver, compose_params(cores=3, allow_restart=True), False, clock)
    assert result["restart_required"] is False and driver.calls[-1] == ("power", "web", "restart")


def test_check_mode_says_a_running_vm_may_need_a_restart_and_writes_nothing(driver, clock):
    _made(driver, clock, running=True)
    result = compose(driver, compose_params(cores=3), True, clock)
    assert result["changed"] is True and result["restart_required"] is True
    assert driver.calls == [] and driver.vms["web"]["stored"]["request"]["cores"] == 2


def test_a_resize_beyond_the_host_without_the_vm_is_refused_and_nothing_changes(driver, clock):
    _made(driver, clock)
    compose(driver, compose_params(name="db", cores=2), False, clock)
    driver.calls.clear()
    # the host has 4 cores: web may grow to what db leaves (2), not beyond
    assert compose(driver, compose_params(cores=2), False, clock)["changed"] is False
    with pytest.raises(CapacityError) as refused:
        compose(driver, compose_params(cores=3), False, clock)
    assert refused.value.resource == "cpu"
    assert driver.calls == [] and driver.vms["web"]["stored"]["request"]["cores"] == 2


def test_a_disk_grows_before_the_definition_is_written(driver, clock):
    _made(driver, clock, storage="root:10,data:5")
    result = compose(driver, compose_params(storage="root:10,data:8"), False, clock)
    assert result["changed"] is True
    assert driver.calls == [("grow_volume", "default", "web-data", 8 * GB), ("redefine", "web")]
    assert driver.volumes[("default", "web-data")] == 8 * GB


def test_a_failed_growth_keeps_the_old_request_so_the_next_run_tries_again(driver, clock):
    _made(driver, clock, storage="root:10,data:5")
    driver.fail["grow_volume"] = DriverError("hypervisor", "pool is full")
    with pytest.raises(DriverError, match="pool is full"):
        compose(driver, compose_params(storage="root:10,data:8"), False, clock)
    assert ("redefine", "web") not in driver.calls
    assert driver.vms["web"]["stored"]["request"]["disks"][1]["size"] == 5 * GB


def test_a_shrinking_disk_is_refused_naming_it(driver, clock):
    _made(driver, clock, storage="root:10,data:5")
    with pytest.raises(SpecError) as refused:
        compose(driver, compose_params(storage="root:10,data:4"), False, clock)
    assert refused.value.option == "disks[1].size" and driver.calls == []


def test_a_key_that_cannot_change_in_place_is_refused(driver, clock):
    _made(driver, clock)
    with pytest.raises(SpecError) as refused:
        compose(driver, compose_params(interfaces="eth0:"), False, clock)
    assert refused.value.option == "interfaces" and driver.calls == []
