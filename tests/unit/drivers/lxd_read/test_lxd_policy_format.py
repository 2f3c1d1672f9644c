# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The policy's JSON in the project's user.vmfleet.policy key: round trip, and values it refuses to guess at."""

from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.policy_store import decode, encode
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.host_policy import DEFAULT_POLICY


def test_round_trip_and_stable_text():
    policy = dict(DEFAULT_POLICY, cpu_over_commit_ratio=4.0, tags=["ssd"])
    assert decode(encode(policy), "p") == policy
    assert encode(policy) == encode(dict(reversed(list(policy.items()))))  # same policy, same text: no spurious diff


def test_unset_key_is_no_policy():
    assert decode(None, "p") is None and decode("", "p") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not JSON"),
        ('{"format": 2, "policy": {}}', "has format 2; this collection reads format 1"),
        ("[1]", "is a JSON array ([1]), not an object with format and policy"),
    ],
)
def test_values_from_elsewhere_are_refused_naming_the_key_and_project(text, message):
    with pytest.raises(DriverError, match="user.vmfleet.policy of project 'vmf'") as raised:
        decode(text, "vmf")
    assert message in raised.value.message and raised.value.kind == "corrupt_policy"
