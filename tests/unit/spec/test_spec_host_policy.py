"""The vm_host policy options: validation, defaults, and keeping what the host stores."""

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import PolicyError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.host_policy import (
    DEFAULT_POLICY,
    merge_policy,
    parse_policy,
)


def test_only_given_options_are_returned_normalised():
    policy = parse_policy(
        {
            "cpu_over_commit_ratio": "2.5",
            "memory_over_commit_ratio": None,
            "reserved": {"cores": 2, "memory": "4G"},
            "tags": "ssd, gpu",
            "networks": [{"name": "br0", "vlans": [10], "subnets": ["10.0.0.5/24"], "spaces": ["mgmt"]}],
        }
    )
    assert policy == {
        "cpu_over_commit_ratio": 2.5,
        "reserved": {"cores": 2, "memory": 4096},
        "tags": ["ssd", "gpu"],
        "networks": [{"name": "br0", "vlans": [10], "subnets": ["10.0.0.0/24"], "spaces": ["mgmt"], "default": False}],
    }


@pytest.mark.parametrize(
    "given, error, text",
    [
        ({"cpu_over_commit_ratio": 10.5}, PolicyError, "cpu_over_commit_ratio: 10.5 is out of range"),
        ({"reserved": {"cpus": 1}}, SpecError, "reserved: 'cpus' is not a known key"),
        ({"reserved": {"memory": "1X"}}, SpecError, "reserved.memory: '1X'"),
        ({"networks": [{"name": "a"}, {"name": "a"}]}, SpecError, "networks[1].name: 'a' is declared twice"),
        ({"networks": [{"name": "a", "vlans": [5000]}]}, SpecError, "networks[0].vlans[0]: 5000 is out of range"),
        ({"networks": [{"name": "a", "subnets": ["x"]}]}, SpecError, "networks[0].subnets[0]: 'x' is not a subnet"),
        (
            {"networks": [{"name": "a", "default": True}, {"name": "b", "default": True}]},
            SpecError,
            "mark more than one network default",
        ),
        ({"zone": ""}, SpecError, "zone: '' is empty"),
    ],
)
def test_bad_options_name_the_option(given, error, text):
    with pytest.raises(error) as caught:
        parse_policy(given)
    assert text in str(caught.value)


def test_merge_keeps_stored_values_the_playbook_left_out():
    stored = merge_policy(None, parse_policy({"cpu_over_commit_ratio": 4, "zone": "az1"}))
    assert stored["cpu_over_commit_ratio"] == 4.0 and stored["memory_over_commit_ratio"] == 1.0
    changed = merge_policy(stored, parse_policy({"memory_over_commit_ratio": 1.5}))
    assert changed["cpu_over_commit_ratio"] == 4.0 and changed["zone"] == "az1"
    assert changed["memory_over_commit_ratio"] == 1.5
    assert DEFAULT_POLICY["zone"] == "default"  # the defaults are never modified by a merge
