# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError, item

AUTO = "auto"
# Far above any real host (the kernel's NR_CPUS tops out at 8192), low enough that "0-999999999" cannot
# make a list that eats the controller's memory.
MAX_CORE = 65535

_RANGE = re.compile(r"\s*([0-9]+)\s*(?:-\s*([0-9]+)\s*)?")
_HELP = "use auto, a list of core numbers such as [0, 1, 8] or a cpuset string such as '0-3,8,10-11'"


def parse_pinned_cores(value: object, option: str = "pinned_cores") -> None | str | list[int]:
    """None (not pinned), "auto" (the capacity core chooses) or the sorted host core numbers.

    An empty list or string means not pinned, so a templated empty default does not need special casing.
    """
    if value is None:
        return None
    if isinstance(value, str):
        if value.strip().lower() == AUTO:
            return AUTO
        return _from_cpuset(value, option) or None
    if isinstance(value, (list, tuple)):
        return _from_list(value, option) or None
    if isinstance(value, int) and not isinstance(value, bool):
        raise SpecError(
            option,
            value,
            f"is ambiguous: to pin core {value} write [{value}] or '{value}'; "
            f"to get {value} cores chosen for you use cores: {value} with pinned_cores: auto",
        )
    raise SpecError(option, value, f"is not a set of cores; {_HELP}")


def format_cpuset(cores: list[int]) -> str:
    """The cpuset string libvirt and LXD write: sorted, consecutive cores folded into ranges ("0-3,8")."""
    parts = []
    ordered = sorted(set(cores))
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        first, last = ordered[start], ordered[end]
        parts.append(str(first) if first == last else f"{first}-{last}")
        start = end + 1
    return ",".join(parts)


def _from_cpuset(text: str, option: str) -> list[int]:
    if not text.strip():
        return []
    seen: dict[int, str] = {}
    for part in text.split(","):
        match = _RANGE.fullmatch(part)
        if match is None:
            reason = "has a negative core" if "-" in part.strip()[:1] else f"has {part.strip()!r}, which is not a core"
            raise SpecError(option, text, f"{reason} or range; {_HELP}")
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if last < first:
            raise SpecError(option, text, f"has the reversed range {part.strip()!r}; write the lower core first")
        if last > MAX_CORE:
            raise SpecError(option, text, f"has core {last}; core numbers go up to {MAX_CORE}")
        for core in range(first, last + 1):
            if core in seen:
                raise SpecError(option, text, f"names core {core} twice ({seen[core]!r} and {part.strip()!r})")
            seen[core] = part.strip()
    return sorted(seen)


def _from_list(values: list | tuple, option: str) -> list[int]:
    cores: list[int] = []
    for index, value in enumerate(values):
        where = item(option, index)
        core = _core_number(value)
        if core is None:
            raise SpecError(where, value, f"is not a core number; {_HELP}")
        if core < 0:
            raise SpecError(where, value, "is negative; core numbers start at 0")
        if core > MAX_CORE:
            raise SpecError(where, value, f"is too large; core numbers go up to {MAX_CORE}")
        if core in cores:
            raise SpecError(
                where, value, f"is listed twice (also {item(option, cores.index(core))}); pin each core once"
            )
        cores.append(core)
    return sorted(cores)


def _core_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]+\s*", value):
        return int(value)
    return None
