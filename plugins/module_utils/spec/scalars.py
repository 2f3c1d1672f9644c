# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import math
import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

# The same words Ansible's own boolean type accepts, so a value that works in a playbook works here.
_TRUE = frozenset(("yes", "on", "1", "true", "y", "t"))
_FALSE = frozenset(("no", "off", "0", "false", "n", "f"))
_INTEGER = re.compile(r"[+-]?[0-9]+")
_BOOL_HELP = "is not a boolean; use true or false (also yes/no, on/off, 1/0)"


def parse_bool(value: object, option: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise SpecError(option, value, _BOOL_HELP)


def parse_int(value: object, option: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number; numeric strings are accepted because templated Ansible values arrive as strings."""
    number = _to_int(value)
    if number is None:
        raise SpecError(option, value, f"is not a whole number; use {_range_words(minimum, maximum)}")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise SpecError(option, value, f"is out of range; use {_range_words(minimum, maximum)}")
    return number


def _to_int(value: object) -> int | None:
    # bool is an int subclass, but "cores: true" is a mistake, not 1.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.fullmatch(text):
            return int(text)
    return None


def _range_words(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"a whole number from {minimum} to {maximum}"
    if minimum is not None:
        return f"a whole number of at least {minimum}"
    if maximum is not None:
        return f"a whole number of at most {maximum}"
    return "a whole number"


def parse_text(value: object, option: str, what: str = "a name") -> str:
    """A non-empty string, stripped; other types are refused rather than converted (quote it in YAML)."""
    if not isinstance(value, str):
        raise SpecError(option, value, f"is not a string; give {what} as text (quote it in YAML)")
    text = value.strip()
    if not text:
        raise SpecError(option, value, f"is empty; give {what} or leave the option out")
    return text


def parse_optional_text(value: object, option: str, what: str = "a name") -> str | None:
    if value is None:
        return None
    return parse_text(value, option, what)


def parse_choice(value: object, option: str, choices: tuple[str, ...]) -> str:
    """One of `choices`, compared case-insensitively, returned as spelled in `choices`."""
    if isinstance(value, str) and value.strip().lower() in choices:
        return value.strip().lower()
    raise SpecError(option, value, f"is not allowed; use one of {', '.join(choices)}")
