# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a removal that stopped at a volume says, the same on every driver.

Both drivers delete a VM's volumes before its definition, so the definition (with its record of the volumes it
owns) outlives a failed delete and the next ``state: absent`` finishes the job; the message says so.
"""

from __future__ import annotations


def unfinished(message: str, name: str, kept: bool, left: list) -> str:
    """``message`` (the failed delete) plus what is left and how to finish."""
    where = ", ".join(f"{v['pool']}/{v['name']}" for v in left)
    if kept:
        return (
            f"{message}; VM {name!r} is kept, stopped, as the record of {where}: fix that and run state: absent again"
        )
    return f"{message}; left: {where}"
