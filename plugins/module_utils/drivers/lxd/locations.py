# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a local LXD and the lxc client's certificate are, without importing an LXD client.

Every module resolves its connection options (connection_resolution.py) before it knows the host is LXD; these
lookups live apart from drivers/lxd/connection.py so that resolving a libvirt task never imports requests, pylxd
and cryptography (about 70 ms of every libvirt task, measured with python -X importtime).
"""

from __future__ import annotations

import os

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

SOCKETS = ("/var/snap/lxd/common/lxd/unix.socket", "/var/lib/lxd/unix.socket")


def socket_candidates(environ=None) -> list:
    """Where a local LXD listens: the snap, the distribution package, then $LXD_DIR."""
    environ = os.environ if environ is None else environ
    candidates = list(SOCKETS)
    if environ.get("LXD_DIR"):
        candidates.append(os.path.join(environ["LXD_DIR"], "unix.socket"))
    return candidates


def local_socket(environ=None, exists=os.path.exists) -> str:
    candidates = socket_candidates(environ)
    for path in candidates:
        if exists(path):
            return path
    raise DriverError(
        "unreachable",
        f"no local LXD socket ({', '.join(candidates)}): is LXD installed and its daemon running? "
        f"Give address to reach another one",
    )


def client_config_dirs(environ=None) -> list:
    """Where the lxc client keeps its own certificate: ``$LXD_CONF`` when set (lxc then reads nothing else), else
    ``~/.config/lxc`` (the distribution package's lxc, and community.general's default), else the snap's
    ``~/snap/lxd/common/config``."""
    environ = os.environ if environ is None else environ
    if environ.get("LXD_CONF"):
        return [environ["LXD_CONF"]]
    home = environ.get("HOME") or os.path.expanduser("~")
    return [os.path.join(home, ".config", "lxc"), os.path.join(home, "snap", "lxd", "common", "config")]


def default_client_pair(environ=None, exists=os.path.isfile, dirs=None):
    """(cert, key) of the first lxc client directory (or of ``dirs``) holding both ``client.crt`` and
    ``client.key``, else None.

    A directory with only one of the two is passed over: a lone file is not a pair anyone could have meant.
    """
    for directory in client_config_dirs(environ) if dirs is None else dirs:
        cert, key = os.path.join(directory, "client.crt"), os.path.join(directory, "client.key")
        if exists(cert) and exists(key):
            return cert, key
    return None
