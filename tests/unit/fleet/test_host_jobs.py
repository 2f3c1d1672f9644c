"""A VM host's jobs from the fleet declaration: each VM checked against vm_compose's own argument spec."""

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.compose_options import COMPOSE_OPTIONS
from ansible_collections.vmfleet.hosts.plugins.module_utils.fleet.host_jobs import host_jobs
from ansible_collections.vmfleet.hosts.plugins.module_utils.option_shapes import secret_values

VMS = [
    {"name": "web-1", "cores": 2, "memory": "1G", "storage": "root:5", "host": "kvm-a", "zone": "az1"},
    {"name": "web-2", "cores": "two", "storage": "root:5"},
    {"name": "old", "cores": 1, "state": "absent"},
    {"name": "typo", "cores": 1, "storage": "root:5", "colour": "red"},
]


def test_jobs_come_in_converge_then_remove_order_with_defaults_and_without_fleet_keys():
    first, removal = host_jobs(VMS, ["web-1"], ["old"])
    assert (first.name, first.remove, removal.name, removal.remove) == ("web-1", False, "old", True)
    assert "host" not in first.params and "zone" not in first.params
    assert first.params["state"] == "present" and first.params["lock_timeout"] == 300 and first.error is None
    assert removal.params == {**removal.params, "name": "old", "state": "absent"}


def test_a_vm_with_a_wrong_type_or_unknown_option_is_a_failed_job_naming_it():
    wrong, unknown = host_jobs(VMS, ["web-2", "typo"], [])
    assert "cores" in wrong.error["msg"] and wrong.result is None and not wrong.pending
    assert "unsupported option colour" in unknown.error["msg"]


def test_a_suboption_in_the_wrong_shape_is_named():
    (job,) = host_jobs([{"name": "a", "cloud_init": "not-a-mapping", "storage": "root:5"}], ["a"], [])
    assert job.error["option"] == "cloud_init" and "not-a-mapping" not in job.error["msg"]


@pytest.mark.parametrize(
    "converge, remove, message",
    [
        (["nope"], [], "converge: nope is not declared in vms"),
        ([], ["nope"], "remove: nope is not declared in vms"),
        (["web-1"], ["web-1"], "web-1 is named twice"),
    ],
)
def test_a_name_not_declared_or_named_twice_is_refused(converge, remove, message):
    with pytest.raises(ValueError, match=message):
        host_jobs(VMS, converge, remove)


def test_a_vm_declared_twice_is_refused():
    with pytest.raises(ValueError, match=r"vms\[1\].name: a is declared twice"):
        host_jobs([{"name": "a"}, {"name": "a"}], ["a"], [])


def test_every_vms_user_data_is_a_secret_whatever_its_shape():
    assert secret_values(COMPOSE_OPTIONS, {"name": "a", "cloud_init": {"user_data": "#cloud-config\npw: s3cret"}}) == {
        "#cloud-config\npw: s3cret"
    }
    # a wrong shape is masked whole: which part was the secret cannot be known
    assert secret_values(COMPOSE_OPTIONS, {"cloud_init": ["s3cret"]}) == {"s3cret"}
    assert secret_values(COMPOSE_OPTIONS, {"cloud_init": {"hostname": "h"}}) == set()
    assert secret_values(COMPOSE_OPTIONS, "not a dict") == set()
