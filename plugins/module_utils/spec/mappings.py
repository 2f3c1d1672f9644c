# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import difflib

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError, show


def require_mapping(value: object, option: str, allowed: tuple[str, ...], what: str) -> dict:
    """The dict itself, after refusing anything but a dict and any key outside `allowed`.

    Keys whose value is None count as not given: Ansible fills every unset suboption with None.
    """
    if not isinstance(value, dict):
        raise SpecError(option, value, f"is not {what}; use a mapping with the keys {', '.join(allowed)}")
    unknown = [key for key in value if key not in allowed]
    if unknown:
        raise SpecError(option, _names(unknown), _unknown_reason(unknown, allowed))
    return {key: given for key, given in value.items() if given is not None}


def _names(keys: list) -> object:
    return keys[0] if len(keys) == 1 else keys


def _unknown_reason(unknown: list, allowed: tuple[str, ...]) -> str:
    verb = "is not a known key" if len(unknown) == 1 else "are not known keys"
    hints = []
    for key in unknown:
        close = difflib.get_close_matches(str(key), allowed, n=1)
        if close:
            hints.append(repr(close[0]) if len(unknown) == 1 else f"{close[0]!r} for {show(key)}")
    reason = f"{verb}; allowed: {', '.join(allowed)}"
    if hints:
        reason += f" (did you mean {', '.join(hints)}?)"
    return reason
