"""Every driver implements the whole contract, and the services ask only the contract, never the driver's type."""

import inspect
import re
from pathlib import Path

import pytest
from fake_driver import FakeDriver

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.contract import Driver
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.driver import LibvirtDriver
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.driver import LxdDriver

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("vm_compose_service.py", "vm_host_service.py", "module_base.py", "drift_repair.py")


@pytest.mark.parametrize("driver", [LibvirtDriver, LxdDriver, FakeDriver])
def test_each_driver_implements_every_operation(driver):
    assert issubclass(driver, Driver) and not driver.__abstractmethods__
    for name, declared in inspect.getmembers(Driver, inspect.isfunction):
        if not name.startswith("_"):
            # an override takes at least the contract's parameters, by the same names
            wanted = list(inspect.signature(declared).parameters)
            given = list(inspect.signature(getattr(driver, name)).parameters)
            assert given[: len(wanted)] == wanted, (driver.__name__, name)


@pytest.mark.parametrize("service", SERVICES)
def test_no_service_branches_on_the_driver_type_or_guesses_at_the_inventory(service):
    text = (ROOT / "plugins" / "module_utils" / service).read_text(encoding="utf-8")
    assert not re.search(r"driver\.type\b", text)
    assert "getattr(inventory" not in text and '["spec"]' not in text


def test_an_operation_a_driver_lacks_is_refused_as_unsupported():
    driver = FakeDriver()
    with pytest.raises(DriverError) as refused:
        Driver.addresses(driver, "web")  # the base default, which a driver that cannot read them keeps
    assert refused.value.kind == "unsupported" and "'web'" in refused.value.message
    with pytest.raises(DriverError) as refused:
        Driver.create_project(driver)
    assert refused.value.kind == "unsupported"
