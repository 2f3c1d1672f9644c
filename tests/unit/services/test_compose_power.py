"""vm_compose_service's power transitions on the fake driver, timed by a fake clock (nothing really waits)."""

import pytest
from fake_params import compose_params

from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_compose_service import compose


def _made(driver, clock, running=False):
    compose(driver, compose_params(), False, clock)
    driver.vms["web"]["running"] = running
    driver.calls.clear()


@pytest.mark.parametrize(
    ("running", "state", "action", "after"),
    [
        (False, "started", "start", "running"),
        (True, "stopped", "stop", "stopped"),
        (True, "restarted", "restart", "running"),
        (False, "restarted", "restart", "running"),
    ],
)
def test_each_transition_is_made_and_reported(driver, clock, running, state, action, after):
    _made(driver, clock, running)
    result = compose(driver, compose_params(state=state), False, clock)
    assert result["changed"] is True and result["power_state"] == after and result["vm"]["power_state"] == after
    assert driver.calls == [("power", "web", action)]
    assert driver.vms["web"]["running"] is (after == "running")
    assert result["forced_off"] is False


@pytest.mark.parametrize(("running", "state"), [(True, "started"), (False, "stopped"), (True, "present")])
def test_a_vm_already_in_the_asked_state_is_left_alone(driver, clock, running, state):
    _made(driver, clock, running)
    result = compose(driver, compose_params(state=state), False, clock)
    assert result["changed"] is False and driver.calls == []
    assert result["power_state"] == ("running" if running else "stopped")


def test_a_guest_that_ignores_the_shutdown_is_forced_off_after_the_timeout(driver, clock):
    _made(driver, clock, running=True)
    driver.guest_ignores_acpi = True
    result = compose(driver, compose_params(state="stopped", shutdown_timeout=30), False, clock)
    assert result["forced_off"] is True and result["power_state"] == "stopped"
    assert clock.slept == 30  # waited the whole timeout on the clock it was given, not on the wall clock


def test_check_mode_reports_the_transition_and_powers_nothing(driver, clock):
    _made(driver, clock, running=True)
    result = compose(driver, compose_params(state="stopped"), True, clock)
    assert result["changed"] is True and result["power_state"] == "stopped"
    assert driver.calls == [] and driver.vms["web"]["running"] is True


def test_a_new_vm_asked_started_is_made_then_started(driver, clock):
    result = compose(driver, compose_params(state="started"), False, clock)
    assert result["created"] is True and result["power_state"] == "running"
    assert driver.calls == [("create", "web"), ("power", "web", "start")]
