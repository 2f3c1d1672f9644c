# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import decimal
import math
import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

KIB = 1024
MIB = 1024**2
GIB = 1024**3
# libvirt and LXD hold sizes in signed or unsigned 64-bit integers; the signed limit is safe for both.
MAX_SIZE = 2**63 - 1
MIN_PAGE_SIZE = 4096

_POWERS = {"k": 1, "m": 2, "g": 3, "t": 4, "p": 5}


def _unit_table(decimal_base: int) -> dict[str, int]:
    table = {"b": 1}
    for letter, power in _POWERS.items():
        table[letter] = table[letter + "ib"] = 1024**power
        table[letter + "b"] = decimal_base**power
    return table


_UNITS = _unit_table(1000)
# The kernel writes binary sizes with decimal names ("hugepages-2048kB", "Hugepagesize: 2048 kB") and people
# say "1GB pages"; a page size is always a power of two, so every unit is read as binary there.
_KERNEL_UNITS = _unit_table(1024)

_SIZE = re.compile(r"\s*(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<unit>[A-Za-z]*)\s*")
_UNIT_HELP = "use a number with an optional unit K, M, G, T, P (binary, also KiB..PiB) or KB, MB, GB, TB, PB (decimal)"
_KERNEL_UNIT_HELP = "use a number with an optional unit K, M, G (binary, as the kernel means kB, MB, GB)"
# Enough digits that no size up to MAX_SIZE with any fraction loses a byte before rounding.
_EXACT = decimal.Context(prec=80, rounding=decimal.ROUND_HALF_UP)


def parse_size(value: object, option: str, default_unit: str, *, allow_zero: bool = False) -> int:
    """Bytes from a number with an optional unit; a bare number is in `default_unit` (e.g. "MiB", "GB")."""
    return _parse(value, option, default_unit, _UNITS, allow_zero, _UNIT_HELP)


def parse_memory_mib(value: object, option: str, *, allow_zero: bool = False) -> int:
    """Memory in MiB; a bare number is MiB (as MAAS takes it)."""
    size = parse_size(value, option, "MiB", allow_zero=allow_zero)
    if size % MIB:
        raise SpecError(option, value, f"is not a whole number of MiB ({size} bytes); memory is set in whole MiB")
    return size // MIB


def parse_disk_size(value: object, option: str) -> int:
    """Disk bytes; a bare number is decimal GB, as in MAAS's storage string "root:20" (20 GB)."""
    return parse_size(value, option, "GB")


def parse_page_size(value: object, option: str) -> int:
    """Hugepage size in bytes; a bare number is KiB, as in /sys/kernel/mm/hugepages/hugepages-2048kB."""
    size = _parse(value, option, "KiB", _KERNEL_UNITS, False, _KERNEL_UNIT_HELP)
    if size < MIN_PAGE_SIZE or size & (size - 1):
        raise SpecError(
            option,
            value,
            f"is not a page size ({size} bytes); a page size is a power of two of at least 4K, e.g. 2M or 1G",
        )
    return size


def format_size(size: int) -> str:
    """The exact size with the largest binary unit that divides it, e.g. 1610612736 -> "1536MiB"."""
    for power, name in ((5, "PiB"), (4, "TiB"), (3, "GiB"), (2, "MiB"), (1, "KiB")):
        unit = 1024**power
        if size and size % unit == 0:
            return f"{size // unit}{name}"
    return f"{size}B"


def _parse(value, option, default_unit, units, allow_zero, unit_help) -> int:
    help_text = f"{unit_help}; a bare number is {_bare_words(default_unit)}"
    number, unit = _split(value, option, help_text)
    multiplier = units.get((unit or default_unit).lower())
    if multiplier is None:
        raise SpecError(option, value, f"is not a size; {help_text}")
    size = int(_EXACT.multiply(number, decimal.Decimal(multiplier)).to_integral_value(context=_EXACT))
    if size == 0 and not allow_zero:
        zero = "is zero" if number == 0 else "rounds to 0 bytes"
        raise SpecError(option, value, f"{zero}; a size must be greater than zero")
    if size > MAX_SIZE:
        raise SpecError(option, value, f"is too large ({size} bytes); the largest size is 8 EiB")
    return size


def _split(value, option, help_text) -> tuple[decimal.Decimal, str]:
    if isinstance(value, bool):
        raise SpecError(option, value, f"is a boolean, not a size; {help_text}")
    if isinstance(value, int):
        number, unit = decimal.Decimal(value), ""
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise SpecError(option, value, f"is not a size; {help_text}")
        number, unit = decimal.Decimal(repr(value)), ""
    elif isinstance(value, str):
        if not value.strip():
            raise SpecError(option, value, f"is empty; {help_text}")
        match = _SIZE.fullmatch(value)
        if match is None:
            if value.strip().startswith("-"):
                raise SpecError(option, value, "is negative; a size cannot be negative")
            raise SpecError(option, value, f"is not a size; {help_text}")
        number, unit = decimal.Decimal(match.group("number")), match.group("unit")
    else:
        raise SpecError(option, value, f"is not a size; {help_text}")
    if number < 0:
        raise SpecError(option, value, "is negative; a size cannot be negative")
    return number, unit


def _bare_words(default_unit: str) -> str:
    return "bytes" if default_unit.lower() == "b" else default_unit
