# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.sizes import (
    GIB,
    KIB,
    MAX_SIZE,
    MIB,
    format_size,
    parse_disk_size,
    parse_memory_mib,
    parse_page_size,
    parse_size,
)

TIB = 1024**4
PIB = 1024**5
UNIT_HELP = "use a number with an optional unit K, M, G, T, P (binary, also KiB..PiB) or KB, MB, GB, TB, PB (decimal)"
BINARY = {"K": KIB, "M": MIB, "G": GIB, "T": TIB, "P": PIB}
DECIMAL = {"KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "PB": 10**15}
IEC = {"KiB": KIB, "MiB": MIB, "GiB": GIB, "TiB": TIB, "PiB": PIB}
ALL_UNITS = {"B": 1, **BINARY, **DECIMAL, **IEC}


@pytest.mark.parametrize(("unit", "multiplier"), sorted(ALL_UNITS.items()))
def test_every_unit(unit, multiplier):
    assert parse_size(f"3{unit}", "s", "B") == 3 * multiplier
    assert parse_size(f"3 {unit.lower()}", "s", "B") == 3 * multiplier
    assert parse_size(f" 3{unit.upper()} ", "s", "B") == 3 * multiplier


@pytest.mark.parametrize(
    ("value", "default_unit", "expected"),
    [
        (20, "GB", 20 * 10**9),
        ("20", "GB", 20 * 10**9),
        (2048, "MiB", 2048 * MIB),
        (1.5, "GiB", 3 * GIB // 2),
        ("1.5T", "B", 3 * TIB // 2),
        ("1.5 T", "B", 3 * TIB // 2),
        (".5G", "B", GIB // 2),
        ("2.", "K", 2 * KIB),
        ("1.0000001K", "B", 1024),  # rounds to whole bytes
        ("1.5B", "B", 2),  # half rounds up
        (512, "B", 512),
        ("0.001KB", "B", 1),
    ],
)
def test_sizes(value, default_unit, expected):
    assert parse_size(value, "s", default_unit) == expected


def test_zero_only_when_allowed():
    assert parse_size(0, "s", "B", allow_zero=True) == 0
    assert parse_size("0G", "s", "B", allow_zero=True) == 0
    with pytest.raises(SpecError, match=r"^s: 0 is zero; a size must be greater than zero$"):
        parse_size(0, "s", "B")
    with pytest.raises(SpecError, match=r"^s: '0.1B' rounds to 0 bytes; a size must be greater than zero$"):
        parse_size("0.1B", "s", "B")


def test_documented_message():
    with pytest.raises(SpecError) as info:
        parse_size("12X", "requests[2].disks[0].size", "GB")
    assert str(info.value) == f"requests[2].disks[0].size: '12X' is not a size; {UNIT_HELP}; a bare number is GB"
    assert info.value.option == "requests[2].disks[0].size"
    assert info.value.value == "12X"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("12X", f"is not a size; {UNIT_HELP}"),
        ("G", f"is not a size; {UNIT_HELP}"),
        ("1,5G", f"is not a size; {UNIT_HELP}"),
        ("1e3", f"is not a size; {UNIT_HELP}"),
        ("1 2G", f"is not a size; {UNIT_HELP}"),
        ("nan", f"is not a size; {UNIT_HELP}"),
        ("5Gi", f"is not a size; {UNIT_HELP}"),
        (float("nan"), f"is not a size; {UNIT_HELP}"),
        (float("inf"), f"is not a size; {UNIT_HELP}"),
        (None, f"is not a size; {UNIT_HELP}"),
        ([1], f"is not a size; {UNIT_HELP}"),
        ("", f"is empty; {UNIT_HELP}"),
        ("  ", f"is empty; {UNIT_HELP}"),
        (True, f"is a boolean, not a size; {UNIT_HELP}"),
        (False, f"is a boolean, not a size; {UNIT_HELP}"),
        (-1, "is negative; a size cannot be negative"),
        (-1.5, "is negative; a size cannot be negative"),
        ("-3G", "is negative; a size cannot be negative"),
        (" -3", "is negative; a size cannot be negative"),
    ],
)
def test_refused(value, reason):
    with pytest.raises(SpecError) as info:
        parse_size(value, "memory", "MiB")
    assert str(info.value).startswith(f"memory: {value!r} {reason}")


def test_bare_number_unit_is_named():
    with pytest.raises(SpecError, match="a bare number is bytes$"):
        parse_size("x", "s", "B")
    with pytest.raises(SpecError, match="a bare number is MiB$"):
        parse_size("x", "s", "MiB")


def test_too_large():
    assert parse_size(MAX_SIZE, "s", "B") == MAX_SIZE
    with pytest.raises(SpecError, match=r"is too large \(9223372036854775808 bytes\); the largest size is 8 EiB"):
        parse_size(MAX_SIZE + 1, "s", "B")
    with pytest.raises(SpecError, match="is too large"):
        parse_size("9" * 40 + "P", "s", "B")


@pytest.mark.parametrize(
    ("value", "mib"),
    [(2048, 2048), ("2048", 2048), ("4G", 4096), ("4 GiB", 4096), ("1.5G", 1536), ("1024K", 1), ("1048576B", 1)],
)
def test_memory_mib(value, mib):
    assert parse_memory_mib(value, "memory") == mib


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1000KB", "is not a whole number of MiB (1000000 bytes); memory is set in whole MiB"),
        ("4GB", "is not a whole number of MiB (4000000000 bytes); memory is set in whole MiB"),
        (0.5, "is not a whole number of MiB (524288 bytes); memory is set in whole MiB"),
        (0, "is zero; a size must be greater than zero"),
        ("lots", f"is not a size; {UNIT_HELP}; a bare number is MiB"),
    ],
)
def test_memory_refused(value, reason):
    with pytest.raises(SpecError) as info:
        parse_memory_mib(value, "requests[0].memory")
    assert str(info.value) == f"requests[0].memory: {value!r} {reason}"


@pytest.mark.parametrize(
    ("value", "size"),
    [(20, 20 * 10**9), ("20", 20 * 10**9), ("20G", 20 * GIB), ("20GB", 20 * 10**9), ("1.5T", 3 * TIB // 2)],
)
def test_disk_size_bare_number_is_decimal_gb(value, size):
    assert parse_disk_size(value, "disks[0].size") == size


@pytest.mark.parametrize(
    ("value", "size"),
    [
        (2048, 2 * MIB),
        ("2048", 2 * MIB),
        ("2048kB", 2 * MIB),  # the kernel's spelling in /sys/kernel/mm/hugepages/hugepages-2048kB
        ("2048 kB", 2 * MIB),  # and in /proc/meminfo "Hugepagesize: 2048 kB"
        ("1048576kB", GIB),
        ("2M", 2 * MIB),
        ("2MB", 2 * MIB),
        ("2MiB", 2 * MIB),
        ("1G", GIB),
        ("1GB", GIB),
        ("4K", 4096),
        ("64K", 64 * KIB),
        ("4096B", 4096),
        ("16G", 16 * GIB),
    ],
)
def test_page_size(value, size):
    assert parse_page_size(value, "hugepage_size") == size


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("3M", "is not a page size (3145728 bytes); a page size is a power of two of at least 4K, e.g. 2M or 1G"),
        ("2K", "is not a page size (2048 bytes); a page size is a power of two of at least 4K, e.g. 2M or 1G"),
        (1000, "is not a page size (1024000 bytes); a page size is a power of two of at least 4K, e.g. 2M or 1G"),
        ("big", "is not a size; use a number with an optional unit K, M, G (binary, as the kernel means kB, MB, GB)"),
        (0, "is zero; a size must be greater than zero"),
    ],
)
def test_page_size_refused(value, reason):
    with pytest.raises(SpecError) as info:
        parse_page_size(value, "requests[0].hugepage_size")
    assert str(info.value).startswith(f"requests[0].hugepage_size: {value!r} {reason}")


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0B"), (1, "1B"), (1023, "1023B"), (1024, "1KiB"), (1536 * MIB, "1536MiB"), (GIB, "1GiB"), (3 * PIB, "3PiB")],
)
def test_format_size(size, text):
    assert format_size(size) == text


sizes = st.integers(min_value=1, max_value=MAX_SIZE)


@given(sizes)
def test_format_size_round_trips(size):
    assert parse_size(format_size(size), "s", "B") == size


@given(sizes, st.sampled_from(sorted(BINARY.items()) + sorted(IEC.items())), st.sampled_from(["", " "]))
def test_exact_binary_fractions_round_trip(size, unit, space):
    # Every fraction of a binary unit has a finite decimal expansion, so bytes -> "1.5T" -> bytes is exact.
    name, multiplier = unit
    number = Decimal(size) / Decimal(multiplier)
    text = f"{number:f}{space}{name}"
    assert parse_size(text, "s", "B") == size


# 8000 PiB is the most that stays below the 8 EiB ceiling.
@given(st.integers(min_value=1, max_value=8000), st.sampled_from(sorted(ALL_UNITS.items())))
def test_whole_numbers_with_any_unit(number, unit):
    name, multiplier = unit
    assert parse_size(f"{number}{name}", "s", "B") == number * multiplier
    assert parse_size(number, "s", name) == number * multiplier
