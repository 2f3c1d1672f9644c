"""vm_compose_service creating a VM on the fake driver: check mode, diff, idempotence, refusals before any change."""

import pytest
from fake_params import compose_params

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_compose_service import compose

GIB = 1024**3


def test_a_new_vm_is_made_with_its_volumes_macs_and_a_diff(driver, clock):
    result = compose(driver, compose_params(storage="root:10,data:5", interfaces="eth0:;eth1:"), False, clock)
    assert result["changed"] is True and result["created"] is True
    assert sorted(driver.volumes) == [("default", "web-data"), ("default", "web-root")]
    assert result["volumes"] == [{"pool": "default", "name": "web-root"}, {"pool": "default", "name": "web-data"}]
    assert [nic["mac"] for nic in result["vm"]["interfaces"]] == ["52:54:00:00:00:00", "52:54:00:00:00:01"]
    assert result["diff"]["before"] == {} and result["diff"]["after"]["request"]["cores"] == 2
    assert result["vm"]["power_state"] == "stopped" and result["power_state"] == "stopped"
    assert driver.lock_store == {}  # the lock released and the compose record ended


def test_check_mode_makes_nothing_and_takes_no_lock(driver, clock):
    driver.fail["lock"] = DriverError("lock_timeout", "check mode must not take the lock")
    result = compose(driver, compose_params(), True, clock)
    assert result["changed"] is True and result["created"] is True
    assert result["diff"]["after"]["request"]["name"] == "web"
    assert driver.vms == {} and driver.volumes == {} and driver.calls == []


def test_a_second_run_changes_nothing(driver, clock):
    compose(driver, compose_params(), False, clock)
    driver.calls.clear()
    again = compose(driver, compose_params(), False, clock)
    assert again["changed"] is False and again["diff"] == {} and driver.calls == []


def test_a_vm_that_does_not_fit_is_refused_before_anything_is_made(driver, clock):
    with pytest.raises(CapacityError) as refused:
        compose(driver, compose_params(cores=5), False, clock)
    assert refused.value.resource == "cpu"
    assert driver.vms == {} and driver.volumes == {} and driver.lock_store == {}


def test_an_image_the_driver_refuses_stops_the_compose_before_anything_is_made(driver, clock):
    driver.fail["check_image"] = DriverError("hypervisor", "no such image")
    with pytest.raises(DriverError, match="no such image"):
        compose(driver, compose_params(), False, clock)
    assert driver.vms == {} and driver.volumes == {}


def test_a_host_without_a_policy_is_refused(clock):
    from fake_driver import FakeDriver

    with pytest.raises(DriverError) as refused:
        compose(FakeDriver(vm_host=False), compose_params(), False, clock)
    assert refused.value.kind == "not_a_vm_host"


def test_a_volume_someone_else_made_is_refused_and_kept(driver, clock):
    driver.volumes[("default", "web-root")] = 5 * GIB
    with pytest.raises(DriverError, match="already exists"):
        compose(driver, compose_params(), False, clock)
    assert driver.volumes == {("default", "web-root"): 5 * GIB} and driver.vms == {}
