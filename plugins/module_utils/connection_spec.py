# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of the connection options, the twin of the ``vmfleet.hosts.connection`` doc fragment."""

from __future__ import annotations


def connection_argspec() -> dict:
    return {
        "address": {"type": "str", "default": "qemu:///system", "aliases": ["power_address"]},
        "type": {"type": "str", "choices": ["libvirt", "lxd"]},
    }
