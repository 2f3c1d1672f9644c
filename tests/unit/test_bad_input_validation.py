# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure checks behind "every bad input a clear error" (issue 10, deliver 5): CPU feature names, options with
suboptions in the wrong shape, the stored policy read back strictly, a stored default pool that is gone, bounds."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.contract import Inventory
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.stored_policy import (
    Where,
    decode,
    encode,
    missing_default_pool_warnings,
    refuse_missing_default_pool,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.option_shapes import shape_problem
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.cpu_features import parse_cpu_features
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.host_policy import DEFAULT_POLICY, merge_policy
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_request, parse_requests
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_compose_service import check_options
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_host_service import absent, present

# ---- cpu_disabled_features ----


def test_feature_names_of_libvirts_grammar_pass_sorted():
    assert parse_cpu_features(["x2apic", "arch-capabilities", "avx512_vnni", "sse4.2"]) == [
        "arch-capabilities",
        "avx512_vnni",
        "sse4.2",
        "x2apic",
    ]
    assert parse_cpu_features(None) == [] and parse_cpu_features([]) == []


@pytest.mark.parametrize(
    "value, option, words",
    [
        (["ok", "x'/><evil"], "cpu_disabled_features[1]", "is not a CPU feature name"),
        ([""], "cpu_disabled_features[0]", "is not a CPU feature name"),
        (["a b"], "cpu_disabled_features[0]", "is not a CPU feature name"),
        ([5], "cpu_disabled_features[0]", "is not a CPU feature name"),
        (["a" * 65], "cpu_disabled_features[0]", "at most 64 characters"),
        (["pdpe1gb", "pdpe1gb"], "cpu_disabled_features[1]", "is listed twice (also cpu_disabled_features[0])"),
        ("pdpe1gb", "cpu_disabled_features", "is not a list"),
    ],
)
def test_bad_feature_names_are_refused_with_their_index(value, option, words):
    with pytest.raises(SpecError) as raised:
        parse_cpu_features(value)
    assert raised.value.option == option and words in str(raised.value)


def test_vm_compose_judges_features_and_request_before_connecting():
    params = {"shutdown_timeout": 1, "lock_timeout": 1, "state": "present", "boot": "network", "name": "vm-1"}
    with pytest.raises(SpecError) as raised:
        check_options({**params, "cpu_disabled_features": ["x'/>"]})
    assert raised.value.option == "cpu_disabled_features[0]"
    with pytest.raises(SpecError) as raised:
        check_options({**params, "interfaces": 5})
    assert raised.value.option == "interfaces"
    with pytest.raises(SpecError) as raised:
        check_options({**params, "cloud_init": {"user_data": "#cloud-config\n"}})
    assert raised.value.option == "cloud_init"
    check_options({**params, "cpu_disabled_features": ["arch-capabilities"]})
    check_options({**params, "state": "absent", "cores": "nonsense"})  # a removal reads nothing else


# ---- options with suboptions in the wrong shape ----

SPEC = {
    "reserved": {"type": "dict", "options": {"cores": {"type": "int"}, "memory": {"type": "str"}}},
    "networks": {"type": "list", "elements": "dict", "options": {"name": {"type": "str"}}},
    "cloud_init": {"type": "dict", "options": {"user_data": {"type": "raw", "no_log": True}}},
    "tags": {"type": "list", "elements": "str"},
}


@pytest.mark.parametrize(
    "params, option",
    [
        ({"reserved": [1]}, "reserved"),
        ({"reserved": "abc"}, "reserved"),
        ({"reserved": 4}, "reserved"),
        ({"networks": "abc"}, "networks"),
        ({"networks": 5}, "networks"),
        ({"networks": [{"name": "a"}, 1]}, "networks[1]"),
        ({"networks": ["default"]}, "networks[0]"),
        ({"cloud_init": ["s3cret"]}, "cloud_init"),
    ],
)
def test_wrong_shapes_are_named(params, option):
    problem = shape_problem(SPEC, params)
    assert problem["option"] == option and problem["msg"].startswith(option)


def test_right_shapes_and_ansibles_own_forms_pass():
    for params in (
        {"reserved": {"cores": 1}, "networks": [{"name": "a"}], "cloud_init": {"user_data": "x"}, "tags": "a,b"},
        {"reserved": "cores=2 memory=4G", "networks": "name=br0"},  # k=v text, as ansible-core reads it
        {"reserved": None, "networks": []},
    ):
        assert shape_problem(SPEC, params) is None


def test_a_secret_option_is_never_quoted_and_its_texts_are_masked():
    problem = shape_problem(SPEC, {"cloud_init": ["s3cret", {"k": "hidden"}]})
    assert "s3cret" not in problem["msg"] and "hidden" not in problem["msg"]
    assert {"s3cret", "hidden"} <= problem["secrets"]
    assert shape_problem(SPEC, {"reserved": [1]})["secrets"] == set()


# ---- the stored policy, read back strictly ----

WHERE = Where("policy.json of pool 'vmfleet'", "virsh vol-download ...")


@pytest.mark.parametrize(
    "text, words",
    [
        ("{not json", "is not JSON"),
        ("[1, 2]", "is a JSON array ([1, 2]), not an object with format and policy"),
        ("null", "is a JSON null"),
        ('"text"', "is a JSON string"),
        ("5", "is a JSON number"),
        ('{"format": 1}', "has no policy key"),
        ('{"format": 2, "policy": {}}', "has format 2; this collection reads format 1"),
        ('{"policy": {}}', "has format None"),
        ('{"format": 1, "policy": null}', "has a policy that is a JSON null"),
        ('{"format": 1, "policy": []}', "has a policy that is a JSON array"),
        ('{"format": 1, "policy": {"cpu_over_commit_ratio": 99}}', "policy.cpu_over_commit_ratio: 99"),
        ('{"format": 1, "policy": {"reserved": {"cores": -1}}}', "policy.reserved.cores: -1 is negative"),
        ('{"format": 1, "policy": {"reserved": [1]}}', "policy.reserved: [1] is not reserved resources"),
        ('{"format": 1, "policy": {"tags": null}}', "policy.tags: null"),
        ('{"format": 1, "policy": {"networks": "abc"}}', "policy.networks: 'abc' is not a list"),
        ('{"format": 1, "policy": {"networks": [{"name": "a", "vlans": [9999]}]}}', "policy.networks[0].vlans[0]"),
        ('{"format": 1, "policy": {"colour": "red"}}', "policy.colour: 'red' is not a policy option"),
    ],
)
def test_a_stored_policy_that_cannot_be_read_is_corrupt_naming_where_and_the_key(text, words):
    with pytest.raises(DriverError) as raised:
        decode(text, WHERE)
    message = raised.value.message
    assert raised.value.kind == "corrupt_policy" and words in message, message
    assert message.startswith("the stored policy (policy.json of pool 'vmfleet')")
    assert "see it with `virsh vol-download ...`" in message and "force: true" in message


def test_a_good_stored_policy_is_returned_as_written():
    policy = dict(DEFAULT_POLICY, reserved={"cores": 2, "memory": 0}, default_storage_pool=None)
    assert decode(encode(policy), WHERE) == policy
    assert json.loads(encode(policy, indent=1))["format"] == 1
    assert decode(None, WHERE) is None and decode("", WHERE) is None


# ---- a stored default pool that is gone ----

RECORD = {"name": "kvm-01", "storage_pools": [{"name": "default"}, {"name": "images"}]}


def disk(pool=None, tags=()):
    return {"name": "root", "size": 1, "pool": pool, "tags": list(tags), "boot": True}


def test_a_disk_for_the_missing_default_pool_is_refused_naming_it():
    with pytest.raises(DriverError) as raised:
        refuse_missing_default_pool({"default_storage_pool": "vms"}, RECORD, [disk("default"), disk()])
    assert raised.value.kind == "missing_default_pool"
    assert "default_storage_pool 'vms'" in raised.value.message and "(disks[1])" in raised.value.message
    assert "pools: default, images" in raised.value.message


def test_disks_naming_a_pool_or_tag_and_a_present_default_pass():
    refuse_missing_default_pool({"default_storage_pool": "vms"}, RECORD, [disk("images"), disk(tags=["ssd"])])
    refuse_missing_default_pool({"default_storage_pool": "images"}, RECORD, [disk()])
    refuse_missing_default_pool({"default_storage_pool": None}, RECORD, [disk()])
    refuse_missing_default_pool(None, RECORD, [disk()])


def test_vm_host_info_warns_of_a_missing_default_pool():
    assert (
        "'vms' is not a storage pool of kvm-01"
        in missing_default_pool_warnings({"default_storage_pool": "vms"}, RECORD)[0]
    )
    assert missing_default_pool_warnings({"default_storage_pool": "images"}, RECORD) == []


# ---- bounds ----


@pytest.mark.parametrize(
    "request_, option",
    [
        ({"name": "a", "cores": 8193}, "requests[0].cores"),
        ({"name": "a", "memory": "5P"}, "requests[0].memory"),
    ],
)
def test_request_bounds(request_, option):
    with pytest.raises(SpecError) as raised:
        parse_request(request_)
    assert raised.value.option == option


def test_count_is_bounded_before_any_vm_is_expanded():
    with pytest.raises(SpecError) as raised:
        parse_requests([{"name": "a", "count": 10**9}])
    assert raised.value.option == "requests[0].count" and "from 1 to 1000" in str(raised.value)
    assert len(parse_requests([{"name": "a", "count": 1000}])) == 1000
    assert parse_request({"name": "a", "cores": 8192, "memory": "4P"})["cores"] == 8192


# ---- vm_host: force, and a reserve beyond the host (on a fake driver) ----


class FakeDriver:
    """Just enough of a driver for vm_host's service: a libvirt-like host with a stored policy text."""

    type = "libvirt"
    label = "libvirt"
    address = "qemu:///system"
    has_projects = False
    default_pool_path = "/var/lib/libvirt/images"

    def __init__(self, text):
        self.text = text
        self.written = []

    def stored_policy(self):
        return decode(self.text, WHERE)

    def stored_policy_text(self):
        return self.text

    def storage_pool_names(self):
        return ["default"]

    def project_exists(self):
        return True

    def inventory(self, policy=None, empty_project=False):
        if policy is None:
            policy = merge_policy(self.stored_policy(), {})
        record = {
            "name": "kvm-01",
            "numa": [{"node_id": 0, "cpus": 2, "memory": {"total": 4096}}],
            "storage_pools": [{"name": "default", "total": 10**10}],
            "reserved": policy["reserved"],
        }
        return Inventory(record, {})

    def is_vm_host(self):
        return self.text is not None

    def store_policy(self, policy):
        self.written.append(policy)

    def remove_policy(self):
        self.written.append(None)


def test_without_force_a_corrupt_policy_is_refused_and_nothing_written():
    driver = FakeDriver("[1, 2]")
    with pytest.raises(DriverError) as raised:
        present(driver, {"cpu_over_commit_ratio": 2}, False, None, False)
    assert raised.value.kind == "corrupt_policy" and "force: true" in raised.value.message
    with pytest.raises(DriverError):
        absent(driver, False, False)
    assert driver.written == []


def test_force_replaces_a_corrupt_policy_check_mode_writes_nothing():
    driver = FakeDriver("[1, 2]")
    checked = present(driver, {"cpu_over_commit_ratio": 2}, False, None, True, force=True)
    assert checked["changed"] is True and checked["diff"]["before"] == "[1, 2]" and driver.written == []
    done = present(driver, {"cpu_over_commit_ratio": 2}, False, None, False, force=True)
    assert driver.written == [done["policy"]] and done["policy"]["cpu_over_commit_ratio"] == 2.0
    assert done["policy"]["reserved"] == {"cores": 0, "memory": 0}  # the defaults, as for a new VM host
    assert any("replaced because of force" in warning for warning in done["warnings"])


def test_force_with_absent_removes_a_corrupt_policy():
    driver = FakeDriver('{"format": 1}')
    removed = absent(driver, False, False, force=True)
    assert removed["changed"] is True and removed["diff"]["before"] == '{"format": 1}' and driver.written == [None]


def test_force_leaves_a_readable_policy_to_be_merged():
    driver = FakeDriver(encode(dict(DEFAULT_POLICY, zone="az1")))
    done = present(driver, {"cpu_over_commit_ratio": 2}, False, None, False, force=True)
    assert done["policy"]["zone"] == "az1" and done["diff"]["before"]["zone"] == "az1"


@pytest.mark.parametrize(
    "reserved, option, words",
    [
        ({"cores": 3}, "reserved.cores", "is more than the 2 online cores host kvm-01 has"),
        ({"memory": "5G"}, "reserved.memory", "MiB is more than the 4096 MiB host kvm-01 has"),
    ],
)
def test_a_reserve_beyond_the_host_is_refused_and_nothing_written(reserved, option, words):
    driver = FakeDriver(encode(DEFAULT_POLICY))
    with pytest.raises(SpecError) as raised:
        present(driver, {"reserved": reserved}, False, None, False)
    assert raised.value.option == option and words in str(raised.value) and driver.written == []
    present(driver, {"reserved": {"cores": 2, "memory": "4G"}}, False, None, False)  # all of it is allowed
