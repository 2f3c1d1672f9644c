# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of the connection options, the twin of the ``vmfleet.hosts.connection`` doc fragment."""

from __future__ import annotations

# Options only an LXD host reads; a libvirt host refuses them rather than ignoring them silently.
LXD_ONLY = ("client_cert", "client_key", "server_cert", "server_fingerprint")
MUTUALLY_EXCLUSIVE = [["server_cert", "server_fingerprint"]]
REQUIRED_TOGETHER = [["client_cert", "client_key"]]


def connection_argspec() -> dict:
    return {
        # no default here: it depends on the type (qemu:///system, or the local LXD socket)
        "address": {"type": "str", "aliases": ["power_address"]},
        "type": {"type": "str", "choices": ["libvirt", "lxd"]},
        "project": {"type": "str", "default": "default"},
        "client_cert": {"type": "path"},
        "client_key": {"type": "path"},
        "server_cert": {"type": "path"},
        "server_fingerprint": {"type": "str"},
    }


def connection_params(params: dict) -> dict:
    """The connection options out of a module's parameters, for the driver factory."""
    return {key: params.get(key) for key in connection_argspec()}
