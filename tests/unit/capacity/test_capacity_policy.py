"""Rule 8 (ratios) and the budget arithmetic, with the MAAS documentation's worked examples."""

import math

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity import policy
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import PolicyError


@pytest.mark.parametrize("value, expected", [(None, 1.0), (0, 0.0), (10, 10.0), (0.5, 0.5), ("2.5", 2.5), (5.5, 5.5)])
def test_ratio_accepts_floats_from_0_to_10(value, expected):
    assert policy.parse_ratio(value, "cpu_over_commit_ratio") == expected


@pytest.mark.parametrize("value", [10.01, -0.1, 11, "abc", True, float("nan"), float("inf"), "", [1]])
def test_ratio_refuses_everything_else_naming_the_option(value):
    with pytest.raises(PolicyError) as err:
        policy.parse_ratio(value, "memory_over_commit_ratio")
    assert str(err.value).startswith("memory_over_commit_ratio: ")
    assert "0 to 10" in str(err.value)


@pytest.mark.parametrize(
    "cores, ratio, budget",
    [(8, 1, 8), (8, 0.5, 4), (32, 10, 320), (10, 0.7, 7), (3, 0.1, 0), (6, 1.5, 9)],
)
def test_vcpu_budget_matches_maas_examples(cores, ratio, budget):
    assert policy.vcpu_budget(cores, ratio, 0) == budget


def test_memory_budget_128_gb_times_5_5_is_704_gb():
    assert policy.general_memory_budget(128 * 1024, 0, 0, 5.5) == 704 * 1024


def test_hugepage_pool_and_reserved_memory_come_off_before_the_ratio():
    # 16 GiB host, 4 GiB of hugepages, 2 GiB reserved, ratio 2: (16 - 4 - 2) * 2 = 20 GiB of general memory.
    assert policy.general_memory_budget(16384, 4096, 2048, 2) == 20480


def test_reserved_cores_come_off_after_the_ratio():
    assert policy.vcpu_budget(8, 2, 3) == 13


@pytest.mark.parametrize("value", [-1, "x", 1.5, True])
def test_reserved_must_be_a_whole_number(value):
    with pytest.raises(PolicyError, match="reserved.cores"):
        policy.parse_reserved(value, "reserved.cores")


def test_scaled_is_exact_on_decimal_ratios():
    # Binary floats would give 0.1 * 3 = 0.30000000000000004; the budget must not depend on that.
    assert policy.scaled(30, 0.1) == 3
    assert policy.scaled(1000, 1.1) == 1100
    assert policy.scaled(7, 0.3) == math.floor(2.1)
