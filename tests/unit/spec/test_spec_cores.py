# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.cores import (
    MAX_CORE,
    format_cpuset,
    parse_pinned_cores,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

HELP = "use auto, a list of core numbers such as [0, 1, 8] or a cpuset string such as '0-3,8,10-11'"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("auto", "auto"),
        (" AUTO ", "auto"),
        ([], None),
        ("", None),
        ("  ", None),
        ([3, 1, 2], [1, 2, 3]),
        (["3", " 1 "], [1, 3]),
        ((0, 8), [0, 8]),
        ("0-3,8,10-11", [0, 1, 2, 3, 8, 10, 11]),
        ("8, 0 - 1", [0, 1, 8]),
        ("5", [5]),
        ("4-4", [4]),
        (f"{MAX_CORE}", [MAX_CORE]),
    ],
)
def test_accepted(value, expected):
    assert parse_pinned_cores(value) == expected


@pytest.mark.parametrize(
    ("value", "option", "reason"),
    [
        ("0-3,2", "pinned_cores", "names core 2 twice ('0-3' and '2')"),
        ("1,1", "pinned_cores", "names core 1 twice ('1' and '1')"),
        ("3-1", "pinned_cores", "has the reversed range '3-1'; write the lower core first"),
        ("-1", "pinned_cores", f"has a negative core or range; {HELP}"),
        ("0,-2", "pinned_cores", f"has a negative core or range; {HELP}"),
        ("0-", "pinned_cores", f"has '0-', which is not a core or range; {HELP}"),
        ("a-b", "pinned_cores", f"has 'a-b', which is not a core or range; {HELP}"),
        ("0,,1", "pinned_cores", f"has '', which is not a core or range; {HELP}"),
        ("0;1", "pinned_cores", f"has '0;1', which is not a core or range; {HELP}"),
        ("0-99999", "pinned_cores", f"has core 99999; core numbers go up to {MAX_CORE}"),
        ([0, 0], "pinned_cores[1]", "is listed twice (also pinned_cores[0]); pin each core once"),
        ([0, "0"], "pinned_cores[1]", "is listed twice (also pinned_cores[0]); pin each core once"),
        ([-1], "pinned_cores[0]", "is negative; core numbers start at 0"),
        (["-1"], "pinned_cores[0]", "is negative; core numbers start at 0"),
        ([MAX_CORE + 1], "pinned_cores[0]", f"is too large; core numbers go up to {MAX_CORE}"),
        ([1, True], "pinned_cores[1]", f"is not a core number; {HELP}"),
        ([1.0], "pinned_cores[0]", f"is not a core number; {HELP}"),
        (["0-3"], "pinned_cores[0]", f"is not a core number; {HELP}"),
        ({"a": 1}, "pinned_cores", f"is not a set of cores; {HELP}"),
        (True, "pinned_cores", f"is not a set of cores; {HELP}"),
        (
            3,
            "pinned_cores",
            "is ambiguous: to pin core 3 write [3] or '3'; to get 3 cores chosen for you use cores: 3 with "
            "pinned_cores: auto",
        ),
    ],
)
def test_refused(value, option, reason):
    with pytest.raises(SpecError) as info:
        parse_pinned_cores(value)
    assert info.value.option == option
    bad = value[int(option[-2])] if option.endswith("]") else value
    assert str(info.value) == f"{option}: {bad!r} {reason}"


def test_option_path_is_the_callers():
    with pytest.raises(SpecError, match=r"^requests\[1\]\.pinned_cores: 'x'"):
        parse_pinned_cores("x", "requests[1].pinned_cores")


@pytest.mark.parametrize(
    ("cores", "text"),
    [
        ([], ""),
        ([5], "5"),
        ([0, 1, 2, 3, 8], "0-3,8"),
        ([0, 1, 2, 3, 8, 10, 11], "0-3,8,10-11"),
        ([11, 10, 3, 2, 1, 0, 8], "0-3,8,10-11"),
        ([1, 3, 5], "1,3,5"),
        ([4, 4, 5], "4-5"),
    ],
)
def test_format_cpuset(cores, text):
    assert format_cpuset(cores) == text


core_sets = st.lists(st.integers(min_value=0, max_value=512), min_size=1, unique=True)


@given(core_sets)
def test_cpuset_round_trips(cores):
    assert parse_pinned_cores(format_cpuset(cores)) == sorted(cores)


@given(core_sets)
def test_list_and_cpuset_agree(cores):
    assert parse_pinned_cores(cores) == parse_pinned_cores(",".join(map(str, cores))) == sorted(cores)


@given(st.lists(st.integers(min_value=0, max_value=512), min_size=1, unique=True))
def test_format_is_canonical(cores):
    text = format_cpuset(cores)
    assert format_cpuset(parse_pinned_cores(text)) == text
