"""module_base.VmFleetModule's boundary: the core's errors become fail_json results, and the driver is closed."""

import pytest
from fake_driver import FakeDriver

from ansible_collections.vmfleet.hosts.plugins.module_utils import module_base
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError


class Failed(Exception):
    pass


class Shell:
    """What core_errors and driver use of the module: fail_json (which never returns) and connection()."""

    def __init__(self):
        self.failed = None

    def fail_json(self, **result):
        self.failed = result
        raise Failed

    def connection(self):
        return {"address": "fake://host-01", "type": "fake"}


def _fail_with(error) -> dict:
    shell = Shell()
    with pytest.raises(Failed), module_base.VmFleetModule.core_errors(shell):
        raise error
    return shell.failed


def test_input_errors_name_the_option_and_the_reason():
    failed = _fail_with(SpecError("cores", 0, "is below the minimum of 1"))
    assert failed["option"] == "cores" and failed["reason"] == "is below the minimum of 1"
    assert "cores" in failed["msg"]


def test_driver_errors_keep_their_kind_and_message():
    assert _fail_with(DriverError("lock_timeout", "held by job 7")) == {"msg": "held by job 7", "kind": "lock_timeout"}


def test_capacity_errors_carry_the_figures_as_plain_data():
    failed = _fail_with(CapacityError("host-01", "cpu", "no room", allowed=4, free=1, requested=3))
    assert (failed["host"], failed["resource"], failed["allowed"], failed["free"], failed["requested"]) == (
        "host-01",
        "cpu",
        4,
        1,
        3,
    )


def test_anything_else_is_a_bug_and_is_not_turned_into_a_failure():
    with pytest.raises(KeyError), module_base.VmFleetModule.core_errors(Shell()):
        raise KeyError("bug")


def test_the_driver_is_opened_from_the_connection_and_closed_even_on_failure(monkeypatch):
    opened = []

    def open_driver(connection):
        opened.append(FakeDriver())
        assert connection["type"] == "fake"
        return opened[-1]

    monkeypatch.setattr(module_base, "open_driver", open_driver)
    with pytest.raises(RuntimeError), module_base.VmFleetModule.driver(Shell()) as driver:
        assert driver is opened[0] and not driver.closed
        raise RuntimeError("the task failed")
    assert opened[0].closed is True
