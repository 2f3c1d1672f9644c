# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

# Long values (a whole request dict) would bury the reason; the option path already says where to look.
_MAX_VALUE_REPR = 160


class _Missing:
    """Marks an option that was not given at all, so the message does not pretend a value was seen."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


class SpecError(ValueError):
    """One user input that cannot be used: which option, what was given, and what is allowed."""

    def __init__(self, option: str, value: object, reason: str) -> None:
        self.option = option
        self.value = value
        self.reason = reason
        super().__init__(self._message())

    def _message(self) -> str:
        if self.value is MISSING:
            return f"{self.option} {self.reason}"
        return f"{self.option}: {show(self.value)} {self.reason}"

    def __str__(self) -> str:
        return self._message()


def show(value: object) -> str:
    """repr() cut to a readable length, for values quoted inside messages."""
    text = repr(value)
    if len(text) > _MAX_VALUE_REPR:
        text = text[: _MAX_VALUE_REPR - 3] + "..."
    return text


def child(option: str, key: str) -> str:
    """Path of a key below an option; the top level has no leading dot (a module's own options)."""
    return f"{option}.{key}" if option else key


def item(option: str, index: int) -> str:
    return f"{option}[{index}]"
