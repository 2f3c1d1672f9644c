"""vm_compose_service rolling a failed compose back, at each point it can fail, on the fake driver."""

import pytest
from fake_params import compose_params

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_compose_service import compose

POINTS = ("create_volume", "volume_made", "define", "domain_defined")


@pytest.mark.parametrize("point", POINTS)
def test_a_failure_at_each_step_leaves_nothing_and_no_record(driver, clock, point):
    driver.fail[point] = DriverError("hypervisor", f"refused at {point}")
    with pytest.raises(DriverError, match=f"refused at {point}"):
        compose(driver, compose_params(storage="root:10,data:5"), False, clock)
    assert driver.vms == {} and driver.volumes == {} and driver.lock_store == {}


@pytest.mark.parametrize("point", POINTS[1:])
def test_a_failed_rollback_is_tried_again_over_a_new_connection(driver, clock, point):
    driver.fail[point] = DriverError("hypervisor", "the daemon restarted")
    driver.rollback_fails = True
    with pytest.raises(DriverError) as failed:
        compose(driver, compose_params(storage="root:10,data:5"), False, clock)
    assert "now removed (over a new connection)" in failed.value.message
    assert ("reconnect",) in driver.calls
    assert driver.vms == {} and driver.volumes == {} and driver.lock_store == {}


def test_when_the_second_try_fails_too_the_record_stays_for_the_next_run(driver, clock):
    driver.fail["volume_made"] = DriverError("hypervisor", "the daemon restarted")
    driver.fail["remove_vm"] = DriverError("hypervisor", "still down")
    driver.rollback_fails = True
    with pytest.raises(DriverError) as failed:
        compose(driver, compose_params(), False, clock)
    assert "a second try failed too (still down)" in failed.value.message
    records = [content for name, content in driver.lock_store.items() if "-job-" in name]
    assert [r["volumes"] for r in records] == [[{"pool": "default", "name": "web-root"}]]
    # the next compose on the host settles the record first and then makes the VM
    del driver.fail["volume_made"], driver.fail["remove_vm"]
    driver.rollback_fails = False
    result = compose(driver, compose_params(), False, clock)
    assert result["created"] is True and len(result["recovered"]) == 1
    assert not [name for name in driver.lock_store if "-job-" in name]


def test_a_new_vm_that_cannot_start_is_removed(driver, clock):
    driver.fail["power"] = DriverError("hypervisor", "cannot start")
    with pytest.raises(DriverError, match="cannot start"):
        compose(driver, compose_params(state="started", storage="root:10,data:5"), False, clock)
    assert driver.vms == {} and driver.volumes == {}
