# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small helpers the libvirt XML readers share: parsing, typed attributes, cpusets, sizes, PCI addresses.

Every helper takes ``what`` (e.g. ``"domain 'web-1'"``) and puts it at the front of its error, so a bad figure deep
in a capabilities document still says which document and element it came from.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.units import to_bytes
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.cores import MAX_CORE

_REQUIRED = object()
_CPUSET_PART = re.compile(r"(\^)?([0-9]+)(?:-([0-9]+))?")
# libvirt never writes a DOCTYPE; refusing one keeps entity expansion tricks out of a parser that runs on targets.
_DTD = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_root(xml: str | bytes, what: str, tag: str | None = None) -> ET.Element:
    """The root element of ``xml``; ``tag`` when given is the root element libvirt writes for this document."""
    if isinstance(xml, bytes):
        try:
            xml = xml.decode("utf-8")
        except UnicodeDecodeError as err:
            raise LibvirtXmlError(f"{what}: XML is not UTF-8 ({err})") from None
    if not isinstance(xml, str):
        raise LibvirtXmlError(f"{what}: expected XML text, got {type(xml).__name__}")
    if not xml.strip():
        raise LibvirtXmlError(f"{what}: XML is empty")
    if _DTD.search(xml):
        raise LibvirtXmlError(f"{what}: XML has a DOCTYPE or ENTITY declaration, which libvirt never writes")
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as err:
        raise LibvirtXmlError(f"{what}: XML is not well-formed ({err})") from None
    if tag is not None and root.tag != tag:
        raise LibvirtXmlError(f"{what}: root element is <{root.tag}>, expected <{tag}>")
    return root


def describe(element: ET.Element) -> str:
    """The start tag as libvirt writes it (``<memory unit='KiB'>``), for messages."""
    attrs = "".join(f" {key}='{value}'" for key, value in element.attrib.items())
    return f"<{element.tag}{attrs}>"


def text_of(element: ET.Element | None, path: str | None = None) -> str | None:
    """Stripped text of ``element`` (or of its child at ``path``); None when absent or blank."""
    if element is not None and path is not None:
        element = element.find(path)
    if element is None or element.text is None:
        return None
    text = element.text.strip()
    return text or None


def to_int(value: object, what: str, minimum: int | None = 0) -> int:
    """A decimal whole number as libvirt writes it in attributes and text."""
    text = str(value).strip()
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):
        raise LibvirtXmlError(f"{what}: {value!r} is not a whole number")
    number = int(text)
    if minimum is not None and number < minimum:
        raise LibvirtXmlError(f"{what}: {number} is below {minimum}")
    return number


def int_attr(element: ET.Element, name: str, what: str, default: object = _REQUIRED, minimum: int | None = 0):
    """Attribute ``name`` of ``element`` as an int; ``default`` when absent (absent and no default is an error)."""
    value = element.get(name)
    if value is None:
        if default is _REQUIRED:
            raise LibvirtXmlError(f"{what}: {describe(element)} has no {name} attribute")
        return default
    return to_int(value, f"{what}: {describe(element)} {name}", minimum)


def int_text(element: ET.Element, what: str, minimum: int | None = 0) -> int:
    text = text_of(element)
    if text is None:
        raise LibvirtXmlError(f"{what}: {describe(element)} is empty")
    return to_int(text, f"{what}: {describe(element)}", minimum)


def element_bytes(element: ET.Element, what: str, default_unit: str) -> int:
    """Bytes in a scaled element such as ``<memory unit='KiB'>4194304</memory>``."""
    text = text_of(element)
    if text is None:
        raise LibvirtXmlError(f"{what}: {describe(element)} is empty")
    return to_bytes(text, element.get("unit"), default=default_unit, what=f"{what}: {describe(element)}")


def expand_cpuset(text: str | None, what: str) -> list[int]:
    """Sorted ids of a libvirt cpuset (``0-3,8,^2``); also used for NUMA nodesets, which share the syntax.

    Written here rather than with ``spec.cores.parse_pinned_cores`` because libvirt's syntax has ``^`` exclusions
    and may repeat ids, which user input must not.
    """
    if text is None or not text.strip():
        return []
    included: set = set()
    excluded: set = set()
    for raw in text.split(","):
        part = raw.strip()
        match = _CPUSET_PART.fullmatch(part)
        if match is None:
            raise LibvirtXmlError(f"{what}: cpuset {text!r} has {part!r}, which is not an id, a range or ^id")
        first = int(match.group(2))
        last = int(match.group(3)) if match.group(3) is not None else first
        if last < first:
            raise LibvirtXmlError(f"{what}: cpuset {text!r} has the reversed range {part!r}")
        if last > MAX_CORE:
            raise LibvirtXmlError(f"{what}: cpuset {text!r} names {last}; ids go up to {MAX_CORE}")
        (excluded if match.group(1) else included).update(range(first, last + 1))
    return sorted(included - excluded)


def _hex_or_decimal(value: str, what: str) -> int:
    text = value.strip().lower()
    try:
        return int(text, 16) if text.startswith("0x") else int(text, 10)
    except ValueError:
        raise LibvirtXmlError(f"{what}: {value!r} is not a number") from None


def pci_address(domain: str, bus: str, slot: str, function: str, what: str) -> str:
    """The ``0000:02:10.1`` form the kernel and ``lspci -D`` use, from libvirt's hex (or decimal) parts."""
    parts = []
    for label, value in (("domain", domain), ("bus", bus), ("slot", slot), ("function", function)):
        if value is None:
            raise LibvirtXmlError(f"{what}: PCI address has no {label}")
        parts.append(_hex_or_decimal(value, f"{what}: PCI {label}"))
    return "{:04x}:{:02x}:{:02x}.{:x}".format(*parts)


def pci_address_of(element: ET.Element, what: str) -> str:
    """PCI address of an ``<address domain= bus= slot= function=>`` element (attributes in hex)."""
    return pci_address(
        element.get("domain", "0"), element.get("bus"), element.get("slot"), element.get("function"), what
    )
