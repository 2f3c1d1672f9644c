# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Human figures for messages: a page size or a disk size the way an operator writes it."""

from __future__ import annotations

_BINARY = (("PiB", 1024**5), ("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024))
_DECIMAL = (("PB", 1000**5), ("TB", 1000**4), ("GB", 1000**3), ("MB", 1000**2), ("KB", 1000))


def format_bytes(size: int) -> str:
    """Exact in whichever unit family gives the smaller number (2 MiB, 20 GB), else one decimal in binary units."""
    exact = []
    for units in (_BINARY, _DECIMAL):
        for unit, factor in units:
            if size >= factor and size % factor == 0:
                exact.append((size // factor, unit))
                break
    if exact:
        number, unit = min(exact)
        return f"{number} {unit}"
    for unit, factor in _BINARY:
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"
