# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of a VM's addresses reach it from elsewhere: what every driver's ``addresses()`` keeps.

Loopback never does. Link-local (169.254/16, fe80::/10) only reaches it from the same link and needs a zone
index to be used at all, so it is left out unless asked for.
"""

from __future__ import annotations

import ipaddress


def usable(address: str, include_link_local: bool = False) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False  # not an address (a hypervisor's odd answer): nothing could reach the VM by it
    if ip.is_loopback or ip.is_unspecified:
        return False
    return include_link_local or not ip.is_link_local


def keep_usable(entries: list, include_link_local: bool = False) -> list:
    return [entry for entry in entries if usable(entry["address"], include_link_local)]
