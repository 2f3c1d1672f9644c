"""Options refused before the host is contacted, and the reserve's bounds (issue 10: bad input)."""

from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.host_policy import parse_policy
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_compose_service import check_options as compose_check
from ansible_collections.vmfleet.hosts.plugins.module_utils.vm_host_service import check_options as host_check


@pytest.mark.parametrize(
    "option, value, words",
    [
        ("lock_timeout", -5, "is out of range; use a whole number from 0 to 86400"),
        ("shutdown_timeout", -1, "is out of range; use a whole number from 0 to 86400"),
        ("lock_timeout", 10**9, "is out of range"),
        ("shutdown_timeout", "soon", "is not a whole number"),
    ],
)
def test_compose_timeouts_out_of_bounds_are_refused_naming_the_option(option, value, words):
    params = {"shutdown_timeout": 120, "lock_timeout": 300, "state": "absent", option: value}
    with pytest.raises(SpecError) as raised:
        compose_check(params)
    assert raised.value.option == option and words in str(raised.value)


def test_compose_timeouts_in_bounds_pass():
    compose_check({"shutdown_timeout": 0, "lock_timeout": 86400, "state": "absent"})


def test_a_relative_pool_path_is_refused():
    with pytest.raises(SpecError) as raised:
        host_check("vms/pool", {})
    assert raised.value.option == "default_storage_pool_path" and "not an absolute path" in str(raised.value)
    host_check("/srv/vms", {})
    host_check(None, {})


def test_policy_options_are_judged_before_connecting():
    with pytest.raises(SpecError) as raised:
        host_check(None, {"reserved": {"cores": 10**12}})
    assert raised.value.option == "reserved.cores" and "more than any machine has" in str(raised.value)


@pytest.mark.parametrize(
    "reserved, option",
    [({"cores": 8193}, "reserved.cores"), ({"memory": "5P"}, "reserved.memory"), ({"memory": "1E"}, "reserved.memory")],
)
def test_reserves_beyond_any_machine_are_refused(reserved, option):
    with pytest.raises(SpecError) as raised:
        parse_policy({"reserved": reserved})
    assert raised.value.option == option


def test_a_memory_reserve_of_zero_clears_it():
    assert parse_policy({"reserved": {"memory": 0}})["reserved"] == {"cores": 0, "memory": 0}
    assert parse_policy({"reserved": {"memory": "0"}})["reserved"]["memory"] == 0
    assert parse_policy({"reserved": {"cores": 8192, "memory": "4P"}})["reserved"] == {
        "cores": 8192,
        "memory": 4 * 1024**3,
    }
