# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Opening a libvirt connection, with errors an operator can act on.

libvirt reports a bad URI, an unreachable host and a refused user through the same exception type, often with
the cause buried in the text; this module sorts them into DriverError kinds with a hint each.
"""

from __future__ import annotations

import re
import sys

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

try:
    import libvirt

    LIBVIRT_IMPORT_ERROR = None
except ImportError as import_error:  # reported when a connection is asked for, not at import time
    libvirt = None
    LIBVIRT_IMPORT_ERROR = import_error

DEFAULT_ADDRESS = "qemu:///system"
_URI = re.compile(r"^[a-z][a-z0-9]*(\+[a-z0-9]+)?://[^\s]*$")
_UNREACHABLE = (
    "connection refused",
    "no route to host",
    "name or service not known",
    "could not resolve",
    "temporary failure in name resolution",
    "network is unreachable",
    "timed out",
    "cannot recv data",
    "end of file while reading data",
    "no such file or directory",  # the daemon's socket is not there: libvirtd is not running
)
_PERMISSION = (
    "permission denied",
    "authentication failed",
    "access denied",
    "authentication unavailable",
    "unable to get system bus connection",  # polkit needs D-Bus to decide for a non-root user
    "not authorized",
)


def _quiet(_ctx, _err):
    """libvirt prints every error to stderr by default; the module reports them itself."""


def _classify(address: str, error) -> DriverError:
    text = error.get_error_message() or str(error)
    lower = text.lower()
    code = error.get_error_code()
    if "host key verification failed" in lower:
        return DriverError(
            "unreachable",
            f"cannot connect to {address}: SSH host key verification failed; record the host's key in the "
            f"controller's known_hosts (the libvirt_host role does) rather than disabling the check ({text})",
        )
    if code in (libvirt.VIR_ERR_AUTH_FAILED, libvirt.VIR_ERR_AUTH_CANCELLED, libvirt.VIR_ERR_AUTH_UNAVAILABLE) or any(
        word in lower for word in _PERMISSION
    ):
        return DriverError(
            "permission",
            f"not allowed to use libvirt at {address}: {text}; connect as root or as a member of the libvirt group "
            f"(for qemu+ssh, the user in the URI)",
        )
    if "no connection driver available" in lower:
        return DriverError(
            "bad_address",
            f"address: {address!r} names a hypervisor this libvirt has no driver for ({text}); "
            f"use qemu:///system or qemu+ssh://user@host/system",
        )
    if any(word in lower for word in _UNREACHABLE) or code == libvirt.VIR_ERR_SYSTEM_ERROR:
        return DriverError(
            "unreachable", f"cannot reach the libvirt daemon at {address}: {text}; is the host up and libvirtd running?"
        )
    return DriverError("hypervisor", f"libvirt at {address} refused the connection: {text}")


def open_connection(address: str = DEFAULT_ADDRESS):
    """A read-write connection to ``address`` or a DriverError."""
    if libvirt is None:
        raise DriverError(
            "missing_binding",
            f"the libvirt Python binding is not installed for {sys.executable} on the host running the module "
            f"(install python3-libvirt or libvirt-python): {LIBVIRT_IMPORT_ERROR}",
        )
    if not isinstance(address, str) or not _URI.match(address):
        raise DriverError(
            "bad_address",
            f"address: {address!r} is not a libvirt URI; use qemu:///system (this host) or "
            f"qemu+ssh://user@host/system (a remote host)",
        )
    libvirt.registerErrorHandler(_quiet, None)
    try:
        return libvirt.open(address)
    except libvirt.libvirtError as error:
        raise _classify(address, error) from None


def error_code(error) -> int:
    """The libvirt error code of an exception, or -1 for anything else."""
    getter = getattr(error, "get_error_code", None)
    return getter() if getter else -1
