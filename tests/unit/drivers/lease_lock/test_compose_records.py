# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compose records: what a dead job made is removed (or its whole VM kept) by the next lock holder, and a job
whose rollback failed tries once more before it reports what it left. The backing is a dict and the driver a
fake that records calls; the real daemons are in tests/integration/test_compose_crash.py."""

from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils import vm_compose_service
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers import compose_records
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.contract import ComposePlan
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

VOLUMES = [{"pool": "default", "name": "web-root"}, {"pool": "fast", "name": "web-data"}]


class FakeDriver:
    def __init__(self, vms=(), fail=None, undo_fails=False):
        self.vms = set(vms)
        self.removed = []
        self.fail = fail
        self.undo_fails = undo_fails
        self.reconnected = False
        self.steps = []

    def has_vm(self, name):
        return name in self.vms

    def remove_vm(self, name, volumes):
        if self.undo_fails:
            raise DriverError("hypervisor", "cannot delete volume default/web-root: still unreachable")
        self.removed.append((name, list(volumes)))
        return [f"{v['pool']}/{v['name']}" for v in volumes]

    def check_new_volumes(self, plan):
        self.steps.append("checked")

    def create(self, plan, reached):
        self.steps.append("created")
        if self.fail:
            raise self.fail

    def reconnect(self):
        self.reconnected = True
        return True


def _record(vm="web", volumes=None, token="a" * 32):
    volumes = VOLUMES if volumes is None else volumes
    return {"token": token, "owner": "vm_compose web (pid 9 on ctl-1)", "vm": vm, "volumes": volumes}


def test_a_dead_jobs_volumes_are_removed_and_its_record_dropped(dict_lock):
    store = {"compose.lock-job-" + "a" * 32: _record(), "policy.json": {}}
    lock = dict_lock(store)
    driver = FakeDriver()
    done = compose_records.finish_dead(lock, driver)
    assert driver.removed == [("web", VOLUMES)]
    assert sorted(store) == ["policy.json"]
    assert done == [
        "removed what vm_compose web (pid 9 on ctl-1) made for VM 'web' before it died: default/web-root, fast/web-data"
    ]


def test_a_dead_jobs_whole_vm_is_kept(dict_lock):
    store = {"compose.lock-job-" + "a" * 32: _record()}
    driver = FakeDriver(vms=["web"])
    done = compose_records.finish_dead(dict_lock(store), driver)
    assert driver.removed == [] and store == {}
    assert "is whole; kept" in done[0]


def test_an_unwritten_record_is_dropped_with_nothing_removed(dict_lock):
    store = {"compose.lock-job-" + "b" * 32: {}}
    driver = FakeDriver()
    assert compose_records.finish_dead(dict_lock(store), driver) == []
    assert store == {} and driver.removed == []


def test_a_record_naming_volumes_but_no_vm_is_kept_for_an_operator(dict_lock):
    store = {"compose.lock-job-" + "c" * 32: _record(vm=None)}
    driver = FakeDriver()
    done = compose_records.finish_dead(dict_lock(store), driver)
    assert driver.removed == [] and list(store) == ["compose.lock-job-" + "c" * 32]
    assert "names volumes but no VM" in done[0]


def test_malformed_volume_entries_are_never_passed_on(dict_lock):
    store = {"compose.lock-job-" + "d" * 32: _record(volumes=[{"pool": 1, "name": "x"}, "x", VOLUMES[0]])}
    driver = FakeDriver()
    compose_records.finish_dead(dict_lock(store), driver)
    assert driver.removed == [("web", [VOLUMES[0]])]


def test_the_holders_own_record_is_not_touched(dict_lock):
    store = {}
    lock = dict_lock(store)
    mine = compose_records.begin(lock, "web", VOLUMES)
    driver = FakeDriver()
    assert compose_records.finish_dead(lock, driver) == []
    assert store[mine]["volumes"] == VOLUMES and store[mine]["process"]["pid"] > 0


def test_a_compose_that_succeeds_leaves_no_record(dict_lock):
    store = {}
    driver = FakeDriver()
    vm_compose_service._carry_out(driver, dict_lock(store), "web", ComposePlan("web", new_volumes=VOLUMES))
    assert driver.steps == ["checked", "created"] and store == {}


def test_a_rollback_that_failed_is_tried_again_over_a_new_connection(dict_lock):
    store = {}
    failure = DriverError("hypervisor", "cannot compose VM 'web': client socket is closed", left=VOLUMES[:1])
    driver = FakeDriver(fail=failure)
    with pytest.raises(DriverError) as raised:
        vm_compose_service._carry_out(driver, dict_lock(store), "web", ComposePlan("web", new_volumes=VOLUMES))
    assert driver.reconnected and driver.removed == [("web", VOLUMES[:1])]
    assert raised.value.message.endswith("what was made is now removed (over a new connection)")
    assert store == {}


def test_a_second_failed_rollback_leaves_the_record_and_names_it(dict_lock):
    store = {}
    failure = DriverError("hypervisor", "cannot compose VM 'web': client socket is closed", left=VOLUMES[:1])
    driver = FakeDriver(fail=failure, undo_fails=True)
    lock = dict_lock(store)
    with pytest.raises(DriverError) as raised:
        vm_compose_service._carry_out(driver, lock, "web", ComposePlan("web", new_volumes=VOLUMES))
    record = "compose.lock-job-" + lock.token
    assert list(store) == [record]
    assert f"recorded in {record!r}" in raised.value.message and "next vm_compose on this host" in raised.value.message


def test_a_failure_the_driver_rolled_back_drops_the_record(dict_lock):
    store = {}
    driver = FakeDriver(fail=DriverError("hypervisor", "cannot compose VM 'web': pool full"))
    with pytest.raises(DriverError, match="pool full"):
        vm_compose_service._carry_out(driver, dict_lock(store), "web", ComposePlan("web", new_volumes=VOLUMES))
    assert store == {} and not driver.reconnected
