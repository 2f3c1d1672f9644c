# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.scalars import parse_text

# A VM name becomes an LXD instance name and a hostname, so it follows the stricter of the two (LXD's rule).
_VM_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_VM_NAME_HELP = "letters, digits and '-', 1 to 63 characters, not starting or ending with '-', not only digits"

# Disk and NIC names become LXD device names, libvirt volume names and file names.
_DEVICE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")
_DEVICE_NAME_HELP = "letters, digits, '_', '.' and '-', 1 to 63 characters, starting with a letter or digit"


def parse_vm_name(value: object, option: str) -> str:
    name = parse_text(value, option, "a VM name")
    if not _VM_NAME.fullmatch(name) or name.isdigit():
        raise SpecError(option, value, f"is not a valid VM name; use {_VM_NAME_HELP}")
    return name


def parse_device_name(value: object, option: str, what: str) -> str:
    article = "an" if what[:1] in "aeiou" else "a"
    name = parse_text(value, option, f"{article} {what} name")
    if not _DEVICE_NAME.fullmatch(name):
        raise SpecError(option, value, f"is not a valid {what} name; use {_DEVICE_NAME_HELP}")
    return name


def parse_host_interface_name(value: object, option: str, what: str) -> str:
    """A Linux interface name (a host bridge, a macvlan parent): the kernel allows 15 bytes, no '/' or spaces."""
    name = parse_text(value, option, f"a {what} name")
    if len(name.encode()) > 15 or "/" in name or any(char.isspace() for char in name) or name in (".", ".."):
        raise SpecError(
            option, value, f"is not a valid {what} name; a Linux interface name is 1 to 15 bytes without '/' or spaces"
        )
    return name
