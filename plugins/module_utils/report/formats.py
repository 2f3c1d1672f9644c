# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the renderers write a figure, shared so the page and the text tables say the same thing."""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.units import format_bytes

MIB = 1024 * 1024
_BINARY = (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024))
_DECIMAL = (("PB", 1000**5), ("TB", 1000**4), ("GB", 1000**3), ("MB", 1000**2), ("KB", 1000))


def _human(value: int, units) -> str:
    """The largest unit the value reaches, with at most two decimals (``217.6 GiB``, ``3.75 TB``, ``512 MiB``)."""
    if value < 0:
        return "-" + _human(-value, units)
    if value == 0:
        return "0"
    for unit, factor in units:
        if value >= factor:
            return f"{value / factor:.2f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{value} B"


def mib(value: int) -> str:
    """Memory given in MiB (the record's unit), in binary units as the kernel counts memory."""
    return _human(value * MIB, _BINARY)


def size(value: int) -> str:
    """Storage given in bytes, in decimal units as disks are sold and as requests write disk sizes."""
    return _human(value, _DECIMAL)


def amount(resource: dict, value: int) -> str:
    return mib(value) if resource["unit"] == "MiB" else str(value)


def ratio(value) -> str:
    return "-" if value is None else f"{value:g}"


def pct(value) -> str:
    return "-" if value is None else f"{value:g}%"


def page(value: int) -> str:
    return format_bytes(value)


def cpuset(ids) -> str:
    from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.cores import format_cpuset  # noqa: PLC0415

    return format_cpuset(sorted(ids)) if ids else "-"


def hugepages(shares) -> str:
    return ", ".join(f"{s['count']} x {page(s['page_size'])} (node {s['node_id']})" for s in shares) or "-"


def disks(items) -> str:
    return ", ".join(f"{d['name']} {size(d['size'])} @ {d['pool']}" for d in items) or "-"


def nics(items) -> str:
    out = []
    for nic in items:
        where = nic["host_interface"] or nic["network"] or "?"
        text = f"{nic['name']} -> {where}"
        if nic["vf"]:
            text += " (VF)"
        if nic["numa_node"] is not None:
            text += f" n{nic['numa_node']}"
        out.append(text)
    return ", ".join(out) or "-"


def nodes(ids) -> str:
    return "+".join(str(n) for n in ids) or "-"
