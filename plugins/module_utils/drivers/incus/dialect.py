# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything in which an Incus 6.0 server differs from LXD 5.0 for this collection, in one place.

Incus forked from LXD 5.18 and keeps its REST API (``/1.0/resources``, projects, storage pools, certificate
tokens, instance config keys), so the LXD driver serves it; only what is listed here differs (docs/incus.md says
why each one matters). Pure data and small functions: importing this module imports no client library.
"""

from __future__ import annotations

import os

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError

HOST_TYPE = "incus"
# the command-line client operators use, named in our error messages
CLI = "incus"

# The Debian/upstream package's daemon directory; $INCUS_DIR moves it (as LXD_DIR does for LXD).
SOCKETS = ("/var/lib/incus/unix.socket",)

# Incus binds an instance's vCPUs (and, for a VM, its memory) to NUMA nodes with this key; LXD 5.0 has none and
# can only pin cores. It takes a node list in the limits.cpu syntax ("0", "0,1", "0-1").
NUMA_KEY = "limits.cpu.nodes"

# Incus never had core.trust_password (removed before the fork's first release): a client joins with a token
# or is added by an administrator (bring your own certificate).
TRUST_METHODS = ("trust_token",)
# The body field of POST /1.0/certificates that carries the token. LXD sent it as "password" until its
# explicit_trust_token extension; Incus 6.0 lists no such extension yet takes the token only as "trust_token"
# (sent as "password" it answers "not authorized", seen on 6.0.4).
TOKEN_FIELD = "trust_token"

# The incus client's spelling of the trust commands lxd_trust's messages tell an operator to run; the same keys as
# trust/lxd_certificates.py TRUST_WORDS (lxc 5.0's). Incus makes a token with `trust add NAME` (no --name) and
# adds a certificate file with `trust add-certificate`.
TRUST_WORDS = {
    "server": "Incus",
    "token": f"`{CLI} config trust add NAME`",
    "restricted_token": f"`{CLI} config trust add NAME --restricted --projects p1,p2`",
    "info": f"`{CLI} info`",
    "edit": f"`{CLI} config trust edit`",
    "remove": f"`{CLI} config trust remove {{fingerprint}}`",
    # no trust password to fall back on
    "or_password": "",
}


def socket_candidates(environ=None) -> list:
    environ = os.environ if environ is None else environ
    candidates = list(SOCKETS)
    if environ.get("INCUS_DIR"):
        candidates.insert(0, os.path.join(environ["INCUS_DIR"], "unix.socket"))
    return candidates


def local_socket(environ=None, exists=os.path.exists) -> str:
    """The local Incus socket ($INCUS_DIR first, then /var/lib/incus); never an LXD one."""
    candidates = socket_candidates(environ)
    for path in candidates:
        if exists(path):
            return path
    raise DriverError(
        "unreachable",
        f"no local Incus socket ({', '.join(candidates)}): is Incus installed and incusd running? "
        f"Give address to reach another one",
    )


def client_config_dirs(environ=None) -> list:
    """Where the incus client keeps its certificate: ``$INCUS_CONF``, else ``~/.config/incus``."""
    environ = os.environ if environ is None else environ
    if environ.get("INCUS_CONF"):
        return [environ["INCUS_CONF"]]
    home = environ.get("HOME") or os.path.expanduser("~")
    return [os.path.join(home, ".config", "incus")]


def numa_limits(alloc: dict) -> dict:
    """``limits.cpu.nodes`` for the NUMA nodes the capacity core placed the instance on; None removes the key.

    Pinned cores already name their node; the node list is still written so that Incus keeps the memory of a VM
    there too and so that the binding survives a later change of the cpuset by hand.
    """
    nodes = sorted(int(node) for node in alloc.get("numanode_set") or [])
    return {NUMA_KEY: ",".join(str(node) for node in nodes) if nodes else None}


def refuse_trust_password(params: dict) -> None:
    """A trust password for an Incus host is a mistake, never silently ignored."""
    if params.get("trust_password"):
        raise SpecError(
            "trust_password",
            MISSING,
            f"cannot be used with an Incus host (type: {HOST_TYPE}): Incus has no trust password. Give trust_token "
            f"(made on the host with {TRUST_WORDS['token']}), or bring a certificate the server already "
            f"trusts with client_cert and client_key (`{CLI} config trust add-certificate FILE` on the host)",
        )
