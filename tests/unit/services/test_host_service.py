"""vm_host_service on the fake driver: a policy written or not (check mode), its diff, pools, projects, removal."""

import pytest
from fake_driver import FakeDriver
from fake_params import compose_params

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_compose_service import compose
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_host_service import absent, present


def test_a_new_vm_host_gets_its_policy_with_a_diff():
    driver = FakeDriver(vm_host=False)
    result = present(driver, {"cpu_over_commit_ratio": 2, "default_storage_pool": "default"}, False, None, False)
    assert result["changed"] is True and result["diff"]["before"] == {}
    assert result["diff"]["after"]["cpu_over_commit_ratio"] == 2
    assert driver.policy()["cpu_over_commit_ratio"] == 2 and result["record"]["cpu_over_commit_ratio"] == 2


def test_check_mode_writes_no_policy():
    driver = FakeDriver(vm_host=False)
    result = present(driver, {"cpu_over_commit_ratio": 2}, False, None, True)
    assert result["changed"] is True and driver.policy_text is None and driver.calls == []


def test_the_same_policy_again_changes_nothing(driver):
    present(driver, {"cpu_over_commit_ratio": 2}, False, None, False)
    driver.calls.clear()
    again = present(driver, {"cpu_over_commit_ratio": 2}, False, None, False)
    assert again["changed"] is False and driver.calls == []


def test_the_read_s_warnings_reach_the_result(driver):
    driver.warnings.append("could not list project 'other'")
    assert "could not list project 'other'" in present(driver, {}, False, None, True)["warnings"]


def test_a_missing_default_pool_is_made_at_the_driver_s_default_path_when_asked(driver):
    with pytest.raises(SpecError) as refused:
        present(driver, {"default_storage_pool": "fast"}, False, None, False)
    assert refused.value.option == "default_storage_pool" and "at /srv/fake-pools" in refused.value.reason
    present(driver, {"default_storage_pool": "fast"}, True, None, False)
    assert ("create_dir_pool", "fast", "/srv/fake-pools") in driver.calls


def test_create_project_is_refused_on_a_driver_without_projects(driver):
    with pytest.raises(SpecError) as refused:
        present(driver, {}, False, None, False, create_project=True)
    assert refused.value.option == "create_project" and "is a fake host" in refused.value.reason


def test_a_missing_project_is_refused_without_create_project():
    driver = FakeDriver(vm_host=False, projects=True, project_made=False)
    with pytest.raises(SpecError) as refused:
        present(driver, {}, False, None, False)
    assert refused.value.option == "project" and driver.calls == []


def test_a_missing_project_is_created_when_asked_and_only_outside_check_mode():
    driver = FakeDriver(vm_host=False, projects=True, project_made=False)
    checked = present(driver, {}, False, None, True, create_project=True)
    assert checked["project_created"] is True and driver.calls == [] and not driver.project_exists()
    done = present(driver, {}, False, None, False, create_project=True)
    assert done["project_created"] is True and driver.calls[0] == ("create_project",) and driver.is_vm_host()


def test_absent_of_a_missing_project_changes_nothing():
    driver = FakeDriver(vm_host=False, projects=True, project_made=False)
    assert absent(driver, True, False)["changed"] is False and driver.calls == []


def test_absent_removes_the_policy_and_with_remove_vms_the_managed_vms(driver, clock):
    compose(driver, compose_params(), False, clock)
    checked = absent(driver, True, True)
    assert checked["changed"] is True and checked["removed_vms"] == ["web"] and "web" in driver.vms
    done = absent(driver, True, False)
    assert done["removed_vms"] == ["web"] and driver.vms == {} and driver.policy_text is None
    assert done["diff"]["after"] == {} and done["diff"]["before"]["default_storage_pool"] == "default"
