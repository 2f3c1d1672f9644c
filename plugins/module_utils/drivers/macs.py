# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stable MAC addresses for NICs that were not given one.

A re-run of a playbook must render the same domain XML, or an unchanged VM looks changed (and a PXE host's DHCP
reservation points at a MAC nobody has). So the MAC is derived, not random: the last three octets are the first
three bytes of sha256 over the host, VM and NIC names. The prefix 52:54:00 is the one QEMU/KVM and libvirt use;
0x52 has the locally administered bit set and the multicast bit clear.
"""

from __future__ import annotations

import hashlib

QEMU_MAC_PREFIX = "52:54:00"


def stable_mac(host_name: str, vm_name: str, nic_name: str) -> str:
    """``52:54:00:xx:xx:xx`` derived from the three names; equal names give equal MACs."""
    # NUL cannot occur in any of the names, so ("a", "bc") and ("ab", "c") hash differently.
    seed = "\0".join((host_name, vm_name, nic_name)).encode("utf-8")
    digest = hashlib.sha256(seed).digest()
    return QEMU_MAC_PREFIX + "".join(f":{octet:02x}" for octet in digest[:3])
