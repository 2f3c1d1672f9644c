# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""LXD's size strings (``10GiB``, ``500MB``, ``1073741824``) as bytes, the way LXD itself reads them."""

from __future__ import annotations

import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.read.errors import LxdDataError

# LXD's units.ParseByteSizeString: decimal and binary suffixes, a bare number is bytes.
_UNITS = {
    "": 1,
    "B": 1,
    "kB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "TB": 1000**4,
    "PB": 1000**5,
    "EB": 1000**6,
    "KiB": 1024,
    "MiB": 1024**2,
    "GiB": 1024**3,
    "TiB": 1024**4,
    "PiB": 1024**5,
    "EiB": 1024**6,
}
_SIZE = re.compile(r"^\s*(\d+)\s*([A-Za-z]*)\s*$")


def size_bytes(value, what: str) -> int:
    """A size as LXD writes it in config (``size``, ``limits.memory``) in bytes; raises LxdDataError."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE.match(value) if isinstance(value, str) else None
    if not match or match.group(2) not in _UNITS:
        raise LxdDataError(f"{what}: {value!r} is not a size LXD understands (e.g. 10GiB, 500MB, 1073741824)")
    return int(match.group(1)) * _UNITS[match.group(2)]
