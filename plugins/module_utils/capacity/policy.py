# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Overcommit policy: ratios and reserved resources, and the budgets they give.

Budgets use exact decimal arithmetic on the ratio's written form, so 10 x 0.7 is 7 and not 7.000000000000001
floored to 7 by luck, and 128 GiB x 5.5 is exactly 704 GiB.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import PolicyError

RATIO_MIN = 0
RATIO_MAX = 10
DEFAULT_RATIO = 1.0


def parse_ratio(value: object, option: str) -> float:
    """A ratio is a float from 0 to 10 inclusive; None means the default 1."""
    if value is None:
        return DEFAULT_RATIO
    if isinstance(value, bool):
        raise PolicyError(option, value, "is not a number; use a float from 0 to 10 (default 1)")
    try:
        ratio = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise PolicyError(option, value, "is not a number; use a float from 0 to 10 (default 1)") from None
    if not ratio.is_finite() or ratio < RATIO_MIN or ratio > RATIO_MAX:
        raise PolicyError(option, value, "is out of range; use a float from 0 to 10 inclusive (default 1)")
    return float(ratio)


def parse_reserved(value: object, option: str) -> int:
    """Reserved cores (count) or memory (MiB): a whole number, zero or more."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise PolicyError(option, value, "is not a whole number; use an integer of 0 or more")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise PolicyError(option, value, "is not a whole number; use an integer of 0 or more") from None
    if number < 0:
        raise PolicyError(option, value, "is negative; use an integer of 0 or more")
    return number


def scaled(amount: int, ratio: float) -> int:
    """floor(amount x ratio), computed on the ratio's decimal form."""
    return math.floor(Decimal(amount) * Decimal(str(ratio)))


def vcpu_budget(online_cores: int, cpu_ratio: float, reserved_cores: int) -> int:
    """Rule 1: floor(host cores x cpu_over_commit_ratio) - reserved."""
    return scaled(online_cores, cpu_ratio) - reserved_cores


def general_memory_budget(memory: int, hugepage_pool: int, reserved_memory: int, memory_ratio: float) -> int:
    """Rule 3: (host memory - hugepage pool - reserved) x memory_over_commit_ratio, all in MiB.

    Hugepage memory is taken out before the ratio because hugepages are never overcommitted (MAAS counted them
    inside the overcommitted budget).
    """
    return scaled(max(0, memory - hugepage_pool - reserved_memory), memory_ratio)
