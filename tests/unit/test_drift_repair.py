# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vm_compose on a drifted VM (drift_repair.py), on a fake driver: refused, or repaired only when asked."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils import drift
from ansible_collections.vmfleet.hosts.plugins.module_utils.drift_repair import report, settle
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

GB = 10**9


class FakeDriver:
    def __init__(self, running=False):
        self.made, self.running = [], running

    def repair_volume(self, _inventory, name, repair):
        self.made.append((name, repair["pool"], repair["volume"], repair["size"]))
        return self.running


def inventory(findings, used=5 * GB, total=10 * GB):
    pools = [{"name": "vms", "type": "dir", "total": total, "used": used, "available": total - used}]
    return SimpleNamespace(record={"storage_pools": pools}, domains={"web": {"drift": findings}})


def missing_data(pool="vms"):
    owned = [
        {"pool": pool, "name": "web-root", "disk": "root", "size": GB, "role": "boot"},
        {"pool": pool, "name": "web-data", "disk": "data", "size": 2 * GB, "role": "data"},
    ]
    return drift.detect(owned, {(pool, "web-root"): GB}, {(pool, "web-root"), (pool, "web-data")}, {pool: True})


def gone_network():
    return drift.detect([], {}, set(), {}, [{"name": "eth0", "network": "lab"}], set())


def test_a_healthy_vm_goes_on_untouched():
    driver = FakeDriver()
    assert settle(driver, inventory([]), "web", False, False) == {"repaired": [], "restart_required": False}
    result = {"changed": False, "restart_required": False, "vm": {"drift": []}, "diff": {}}
    assert report(dict(result), {"repaired": [], "restart_required": False}) == result
    assert driver.made == []


def test_without_repair_the_drift_is_refused_and_nothing_is_made():
    driver = FakeDriver()
    with pytest.raises(DriverError) as raised:
        settle(driver, inventory(missing_data()), "web", False, False)
    assert raised.value.kind == "drift" and "vms/web-data" in raised.value.message
    assert driver.made == []


def test_check_mode_says_what_would_be_repaired_and_makes_nothing():
    driver = FakeDriver()
    validated = []
    settled = settle(driver, inventory(missing_data()), "web", True, True, validate=lambda: validated.append(1))
    assert settled["repaired"] == ["vms/web-data"] and driver.made == [] and validated == []


def test_repair_recreates_the_volume_after_the_rest_of_the_task_was_judged():
    driver = FakeDriver(running=True)
    order = []

    def validate():
        order.append("validated")
        assert driver.made == []

    settled = settle(driver, inventory(missing_data()), "web", True, False, validate=validate)
    assert order == ["validated"] and driver.made == [("web", "vms", "web-data", 2 * GB)]
    result = report({"changed": False, "restart_required": False, "vm": {"drift": ["x"]}, "diff": {}}, settled)
    assert result["changed"] is True and result["repaired"] == ["vms/web-data"] and result["vm"]["drift"] == []
    assert result["restart_required"] is True  # a running VM sees the new volume once restarted
    assert result["diff"]["before"] == {"missing_volumes": ["vms/web-data"]}


def test_a_refused_change_stops_the_repair_before_anything_is_made():
    driver = FakeDriver()

    def validate():
        raise DriverError("hypervisor", "refused change")

    with pytest.raises(DriverError, match="refused change"):
        settle(driver, inventory(missing_data()), "web", True, False, validate=validate)
    assert driver.made == []


def test_drift_it_cannot_repair_is_refused_even_when_asked():
    driver = FakeDriver()
    with pytest.raises(DriverError) as raised:
        settle(driver, inventory(missing_data() + gone_network()), "web", True, False)
    assert raised.value.kind == "drift" and "repair_drift cannot repair" in raised.value.message
    assert "network_missing lab" in raised.value.message and driver.made == []


def test_a_pool_without_the_room_is_never_overcommitted_by_a_repair():
    driver = FakeDriver()
    with pytest.raises(DriverError) as raised:
        settle(driver, inventory(missing_data(), used=11 * GB), "web", True, False)
    assert raised.value.kind == "drift" and "storage is never overcommitted" in raised.value.message
    assert driver.made == []
