# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stable MACs: same names, same MAC; QEMU's locally administered unicast prefix."""

from __future__ import annotations

import hashlib
import itertools
import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.macs import stable_mac

MAC = re.compile(r"52:54:00(:[0-9a-f]{2}){3}")


def test_deterministic():
    assert stable_mac("kvm-01", "web-1", "eth0") == stable_mac("kvm-01", "web-1", "eth0")


def test_known_value_does_not_drift():
    """Changing the derivation would change the MAC of every existing VM on its next run."""
    digest = hashlib.sha256(b"kvm-01\0web-1\0eth0").hexdigest()
    expected = "52:54:00:" + ":".join(digest[index : index + 2] for index in (0, 2, 4))
    assert stable_mac("kvm-01", "web-1", "eth0") == expected


def test_format_and_locally_administered_unicast():
    mac = stable_mac("h", "v", "n")
    assert MAC.fullmatch(mac)
    first = int(mac[:2], 16)
    assert first & 0b10  # locally administered
    assert not first & 0b01  # unicast


def test_each_name_matters():
    names = ("kvm-01", "kvm-02"), ("web-1", "web-2"), ("eth0", "eth1")
    macs = {stable_mac(*combo) for combo in itertools.product(*names)}
    assert len(macs) == 8


def test_names_do_not_run_together():
    assert stable_mac("ab", "c", "d") != stable_mac("a", "bc", "d")
    assert stable_mac("a", "bc", "d") != stable_mac("a", "b", "cd")


def test_spread_over_many_vms():
    macs = {stable_mac("kvm-01", f"vm-{index}", "eth0") for index in range(2000)}
    assert len(macs) >= 1995
    assert all(MAC.fullmatch(mac) for mac in macs)
