"""vm_compose_service removing a VM, and a drifted VM refused or repaired, on the fake driver."""

import pytest
from fake_params import compose_params

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_compose_service import compose

GB = 10**9


def test_absent_removes_the_vm_and_its_volumes_with_a_diff(driver, clock):
    compose(driver, compose_params(storage="root:10,data:5"), False, clock)
    result = compose(driver, compose_params(state="absent"), False, clock)
    assert result["changed"] is True and sorted(result["removed_volumes"]) == ["default/web-data", "default/web-root"]
    assert result["diff"]["before"]["request"]["name"] == "web" and result["diff"]["after"] == {}
    assert driver.vms == {} and driver.volumes == {}


def test_absent_in_check_mode_names_the_volumes_and_keeps_them(driver, clock):
    compose(driver, compose_params(), False, clock)
    result = compose(driver, compose_params(state="absent"), True, clock)
    assert result["changed"] is True and result["removed_volumes"] == ["default/web-root"]
    assert "web" in driver.vms and ("default", "web-root") in driver.volumes


def test_absent_of_a_missing_vm_changes_nothing(driver, clock):
    result = compose(driver, compose_params(state="absent"), False, clock)
    assert result == {"changed": False, "removed_volumes": [], "diff": {}}


def _drifted(driver, clock):
    compose(driver, compose_params(storage="root:10,data:5"), False, clock)
    del driver.volumes[("default", "web-data")]
    repair = {"pool": "default", "volume": "web-data", "disk": "data", "size": 5 * GB, "attach": False}
    driver.vms["web"]["drift"] = [
        {
            "kind": "volume_missing",
            "what": "default/web-data",
            "detail": "volume default/web-data (disk 'data') is gone",
            "repairable": True,
            "repair": repair,
            "pool": "default",
            "volume": "web-data",
            "disk": "data",
            "claimed": 5 * GB,
            "unaccounted": 5 * GB,
        }
    ]
    driver.calls.clear()


def test_a_drifted_vm_is_refused_without_repair_drift(driver, clock):
    _drifted(driver, clock)
    with pytest.raises(DriverError) as refused:
        compose(driver, compose_params(storage="root:10,data:5"), False, clock)
    assert refused.value.kind == "drift" and driver.calls == []


def test_repair_drift_recreates_the_missing_volume(driver, clock):
    _drifted(driver, clock)
    result = compose(driver, compose_params(storage="root:10,data:5", repair_drift=True), False, clock)
    assert result["changed"] is True and result["repaired"] == ["default/web-data"]
    assert driver.calls == [("repair_volume", "default", "web-data")]
    assert driver.volumes[("default", "web-data")] == 5 * GB and result["vm"]["drift"] == []
