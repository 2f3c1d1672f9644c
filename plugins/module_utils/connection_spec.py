# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of the connection options, the twin of the ``vmfleet.hosts.connection`` doc fragment.

Aliases carry the names people bring from other collections: ``uri`` (community.libvirt.virt) for libvirt
addresses, ``url`` (community.general.lxd_container) for LXD ones, ``power_address`` (MAAS) for both, and
``cert_file``/``key_file`` (community.general) for the LXD client pair. What each alias may name is checked in
``connection_resolution``, which also reads the environment variables below.
"""

from __future__ import annotations

# Options only an LXD (or Incus) host reads; a libvirt host refuses them rather than ignoring them silently.
LXD_ONLY = ("client_cert", "client_key", "server_cert", "server_fingerprint")
MUTUALLY_EXCLUSIVE = [["server_cert", "server_fingerprint"]]
REQUIRED_TOGETHER = [["client_cert", "client_key"]]

# The alias that names one hypervisor's address, and that hypervisor.
ADDRESS_ALIASES_FOR = {"uri": "libvirt", "url": "lxd"}
# Host types served by the LXD driver family (projects, instances, the same REST API); Incus is LXD's fork.
LXD_FAMILY = ("lxd", "incus")

# Where an option not given in the task (nor by module_defaults) is read from, in order.
ENVIRONMENT = {
    "address": ("VMFLEET_ADDRESS",),
    "type": ("VMFLEET_TYPE",),
    "project": ("VMFLEET_PROJECT",),
    "client_cert": ("VMFLEET_CLIENT_CERT",),
    "client_key": ("VMFLEET_CLIENT_KEY",),
    "server_cert": ("VMFLEET_SERVER_CERT",),
    "server_fingerprint": ("VMFLEET_SERVER_FINGERPRINT",),
}

# Options that describe one thing together: they come from one place (the task, or else the environment), never
# half from each, so a task's own pin or pair is never mixed with (or refused because of) an ambient one.
TOGETHER = (("client_cert", "client_key"), ("server_cert", "server_fingerprint"))


def connection_argspec() -> dict:
    """The options; none has a default here, so that an environment variable can stand in for a missing one."""
    return {
        # no default: it depends on the type (qemu:///system, or the local LXD socket) and on the environment
        "address": {"type": "str", "aliases": ["power_address", "uri", "url"]},
        "type": {"type": "str", "choices": ["libvirt", "lxd", "incus"]},
        "project": {"type": "str"},
        "client_cert": {"type": "path", "aliases": ["cert_file"]},
        "client_key": {"type": "path", "aliases": ["key_file"]},
        "server_cert": {"type": "path"},
        "server_fingerprint": {"type": "str"},
    }


def connection_params(params: dict) -> dict:
    """The connection options out of a module's parameters, as given (before the environment and defaults)."""
    return {key: params.get(key) for key in connection_argspec()}
