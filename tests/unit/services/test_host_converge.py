"""host_converge_service on the fake driver: a host's list in one discovery (unchanged) or under one lock (changes),
each VM meaning what vm_compose makes of it, a VM that fails failing alone."""

from fake_params import compose_params

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers import compose_records
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.fleet.host_jobs import HostJob
from ansible_collections.vmfleet.hosts.plugins.module_utils.host_converge_service import LEASE_SHARE, converge
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_compose_service import compose


def _jobs(*params):
    return [HostJob(name=p["name"], remove=p["state"] == "absent", params=p) for p in params]


def _vm(name, **given):
    return compose_params(name=name, **{"cores": 1, "memory": "512", **given})


class Counting:
    """Counts the driver's discoveries and compose-lock acquisitions."""

    def __init__(self, driver):
        self.inventories = 0
        self.locks = 0
        read, take = driver.inventory, driver.lock

        def inventory(*args, **kwargs):
            self.inventories += 1
            return read(*args, **kwargs)

        def lock(owner, timeout):
            made = take(owner, timeout)
            acquire = made.acquire

            def counted():
                acquire()
                self.locks += 1

            made.acquire = counted
            return made

        driver.inventory, driver.lock = inventory, lock


def test_an_unchanged_list_costs_one_discovery_and_no_lock(driver, clock):
    for name in ("a", "b", "c", "d"):
        compose(driver, _vm(name), False, clock)
    driver.calls.clear()
    count = Counting(driver)
    done = converge(driver, _jobs(*(_vm(n) for n in "abcd")), False, 300, clock)
    assert [(vm["name"], vm["changed"], vm["failed"]) for vm in done["vms"]] == [(n, False, False) for n in "abcd"]
    assert count.inventories == 1 and count.locks == 0 and driver.calls == []


def test_new_vms_are_made_under_one_lock_each_seeing_the_one_before(driver, clock):
    count = Counting(driver)
    # 4 cores at ratio 1: three 1-core VMs fit, the fourth 2-core one does not once the three are made
    done = converge(driver, _jobs(_vm("a"), _vm("b"), _vm("c"), _vm("d", cores=2)), False, 300, clock)
    by_name = {vm["name"]: vm for vm in done["vms"]}
    assert [by_name[n]["created"] for n in "abc"] == [True, True, True]
    assert by_name["d"]["failed"] is True and by_name["d"]["resource"] == "cpu"
    assert sorted(driver.vms) == ["a", "b", "c"]
    assert count.locks == 1 and driver.lock_store == {}
    assert by_name["a"]["power_state"] == "stopped" and by_name["a"]["vm"]["cores"] == 1


def test_a_second_converge_of_the_same_list_changes_nothing(driver, clock):
    converge(driver, _jobs(_vm("a"), _vm("b")), False, 300, clock)
    driver.calls.clear()
    again = converge(driver, _jobs(_vm("a"), _vm("b")), False, 300, clock)
    assert not any(vm["changed"] for vm in again["vms"]) and driver.calls == []


def test_removals_go_first_and_free_room_for_the_vms_after_them(driver, clock):
    for name in ("old1", "old2", "old3"):
        compose(driver, _vm(name), False, clock)
    jobs = _jobs(_vm("new", cores=3), _vm("old1", state="absent"), _vm("old2", state="absent"))
    done = converge(driver, jobs, False, 300, clock)
    by_name = {vm["name"]: vm for vm in done["vms"]}
    assert by_name["old1"]["changed"] and by_name["old1"]["action"] == "remove"
    assert by_name["new"]["created"] is True, by_name["new"]
    assert sorted(driver.vms) == ["new", "old3"]


def test_a_vm_not_composed_by_the_collection_is_not_removed(driver, clock):
    compose(driver, _vm("theirs"), False, clock)
    driver.vms["theirs"]["managed"] = False
    done = converge(driver, _jobs(_vm("theirs", state="absent")), False, 300, clock)
    assert done["vms"][0]["failed"] is True and done["vms"][0]["kind"] == "not_managed"
    assert "theirs" in driver.vms


def test_a_vm_with_bad_options_fails_alone(driver, clock):
    done = converge(driver, _jobs(_vm("a", storage="root:banana"), _vm("b")), False, 300, clock)
    bad, good = done["vms"]
    assert bad["failed"] is True and bad["option"].startswith("storage") and "banana" in bad["msg"]
    assert good["failed"] is False and good["created"] is True and sorted(driver.vms) == ["b"]


def test_check_mode_makes_nothing_takes_no_lock_and_reads_once(driver, clock):
    compose(driver, _vm("a"), False, clock)
    driver.calls.clear()
    driver.fail["lock"] = DriverError("lock_timeout", "check mode must not take the lock")
    count = Counting(driver)
    done = converge(
        driver, _jobs(_vm("a", cores=2), _vm("b"), _vm("a", state="absent") | {"name": "c"}), True, 300, clock
    )
    a, b, c = done["vms"]
    assert a["changed"] is True and a["created"] is False
    assert b["changed"] is True and b["created"] is True
    assert c["changed"] is False  # nothing of that name to remove
    assert driver.calls == [] and sorted(driver.vms) == ["a"] and count.inventories == 1


def test_a_lock_that_cannot_be_taken_fails_every_vm_that_needed_it(driver, clock):
    compose(driver, _vm("a"), False, clock)
    driver.lock("another job, alive", 0).acquire()
    done = converge(driver, _jobs(_vm("a"), _vm("b")), False, 0, clock)
    a, b = done["vms"]
    assert a["failed"] is False and a["changed"] is False  # as asked: judged without the lock
    assert b["failed"] is True and b["kind"] == "lock_timeout" and driver.vms.keys() == {"a"}


def test_a_dead_jobs_record_sends_every_vm_the_locked_way_which_settles_it(driver, clock):
    compose(driver, _vm("a"), False, clock)
    dead = driver.lock("a dead job", 0)
    dead.acquire()
    compose_records.begin(dead, "ghost", [{"pool": "default", "name": "ghost-root"}])
    driver.volumes[("default", "ghost-root")] = 1024
    driver.lock_store.pop(dead.name)  # its holder is gone; its record is left
    done = converge(driver, _jobs(_vm("a")), False, 300, clock)
    assert done["vms"][0]["changed"] is False
    assert ("default", "ghost-root") not in driver.volumes and len(done["recovered"]) == 1
    assert driver.lock_store == {}


def test_a_long_list_takes_the_lock_again_before_its_lease_runs_out(driver, clock):
    count = Counting(driver)
    original = driver.create

    def slow_create(plan, reached=lambda point: None):
        clock.time += 600 * LEASE_SHARE / 2 + 1  # two creates outlast the share of the lease
        return original(plan, reached)

    driver.create = slow_create
    done = converge(driver, _jobs(*(_vm(n) for n in "abcd")), False, 300, clock)
    assert all(vm["created"] for vm in done["vms"]) and count.locks == 2 and driver.lock_store == {}


def test_a_vm_that_cannot_start_fails_alone_and_is_not_left_half_made(driver, clock):
    driver.fail["power"] = DriverError("hypervisor", "cannot start VM 'a'")
    done = converge(driver, _jobs(_vm("a", state="started"), _vm("b")), False, 300, clock)
    a, b = done["vms"]
    assert a["failed"] is True and "cannot start" in a["msg"] and "a" not in driver.vms
    assert b["failed"] is False and "b" in driver.vms


def test_wait_for_address_without_one_fails_the_vm_after_it_is_made(driver, clock):
    done = converge(driver, _jobs(_vm("a", wait_for_address=True, address_timeout=4)), False, 300, clock)
    assert done["vms"][0]["failed"] is True and done["vms"][0]["option"] == "wait_for_address"
    assert "a" in driver.vms and done["vms"][0]["changed"] is True


def test_after_a_vm_that_failed_the_host_is_read_again_for_the_next(driver, clock):
    count = Counting(driver)
    driver.fail["define"] = "the daemon refused"
    done = converge(driver, _jobs(_vm("a"), _vm("b")), False, 300, clock)
    assert [vm["failed"] for vm in done["vms"]] == [True, True]
    # one read before the lock, one under it, one after each failed VM
    assert count.inventories == 4 and count.locks == 1
