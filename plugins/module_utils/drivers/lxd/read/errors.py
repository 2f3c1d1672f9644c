# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error of the LXD readers.

A ``ValueError`` so callers that only care about "bad data" can catch it without importing this module; the
message names the document and the field (``/1.0/resources: cpu.sockets[0].cores[1].threads[0].id is missing``),
because the JSON came from a daemon the operator cannot see from the task output.
"""

from __future__ import annotations


class LxdDataError(ValueError):
    """LXD returned a document that cannot be translated into the host record."""


def field(data, key: str, where: str, kind=None, default=None, required: bool = True):
    """``data[key]``, checked to be of ``kind`` (a type or tuple of types); ``default`` when absent and allowed."""
    if not isinstance(data, dict):
        raise LxdDataError(f"{where} is not an object")
    if key not in data or data[key] is None:
        if required:
            raise LxdDataError(f"{where}.{key} is missing")
        return default
    value = data[key]
    if kind is not None and (not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind))):
        raise LxdDataError(f"{where}.{key} is {value!r}, not {_name(kind)}")
    return value


def _kinds(kind) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)


def _name(kind) -> str:
    return " or ".join(k.__name__ for k in _kinds(kind))
