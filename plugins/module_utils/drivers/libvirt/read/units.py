# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt's scaled integers (``<memory unit='KiB'>``, ``<page size='2048' unit='KiB'/>``) in bytes.

The rules are libvirt's own (``virScaleInteger``): units are case-insensitive; ``b``/``byte``/``bytes`` are bytes;
a bare prefix (``k``, ``M``) and the ``iB`` form (``KiB``) are powers of 1024; the ``B`` form (``KB``, ``MB``) is
a power of 1000. Which unit applies when the attribute is missing depends on the element (KiB for ``<memory>``,
bytes for storage), so the caller says.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError

# Exponent of each prefix letter; exabytes are as far as libvirt goes (an unsigned long long holds 16 EiB).
_EXPONENTS = {"k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6}
_BYTES = ("b", "byte", "bytes")
KNOWN_UNITS = "b, bytes, KB, k, KiB, MB, M, MiB, GB, G, GiB, TB, T, TiB, PB, P, PiB, EB, E, EiB"

MIB = 1024 * 1024


def unit_factor(unit: str) -> int | None:
    """Bytes in one ``unit``, or None when libvirt would not accept the unit either."""
    text = unit.strip().lower()
    if text in _BYTES:
        return 1
    exponent = _EXPONENTS.get(text[:1])
    if exponent is None:
        return None
    suffix = text[1:]
    if suffix in ("", "ib"):
        return 1024**exponent
    if suffix == "b":
        return 1000**exponent
    return None


def to_bytes(value: str, unit: str | None, default: str = "bytes", what: str | None = None) -> int:
    """``value`` (a whole number as libvirt writes it) in ``unit`` (``default`` when None or empty), in bytes.

    ``what`` names the element for messages, e.g. ``"domain 'web-1': <memory unit='XB'>"``.
    """
    chosen = unit if unit is not None and unit.strip() else default
    factor = unit_factor(chosen)
    if factor is None:
        where = what if what else f"unit {chosen!r}"
        raise LibvirtXmlError(f"{where} is not a known unit; libvirt's units are {KNOWN_UNITS}")
    text = str(value).strip()
    # isdigit() alone would accept other scripts' digits ('²'), which int() then rejects or misreads.
    if not (text.isascii() and text.isdigit()):
        where = f"{what}: " if what else ""
        raise LibvirtXmlError(f"{where}{value!r} is not a whole number of {chosen}")
    return int(text) * factor


def bytes_to_mib(size: int, round_up: bool = False) -> int:
    """Whole MiB: down for what a host offers, up for what a VM takes, so rounding never creates room."""
    if round_up:
        return -(-size // MIB)
    return size // MIB
