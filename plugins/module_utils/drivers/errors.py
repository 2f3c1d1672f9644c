# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The error every driver raises for what the hypervisor refused or could not be reached for.

``kind`` lets modules and tests tell the cases apart without parsing the message; the message itself is meant for
the operator and names the address, what failed and what to do about it.
"""

from __future__ import annotations

KINDS = (
    "missing_binding",  # the Python binding for the hypervisor is not installed where the module runs
    "bad_address",  # the address is not something the driver can connect to
    "unreachable",  # the host or its daemon did not answer
    "permission",  # the daemon answered but refused this user
    "untrusted_server",  # the server's TLS certificate is not the pinned one, or no trusted CA signed it
    "not_a_vm_host",  # the host has no vmfleet policy yet
    "lock_timeout",  # another job kept the host's compose lock too long
    "drift",  # a VM was changed outside vmfleet.hosts (a volume, network or pinned core gone) and is not repaired
    "corrupt_policy",  # the policy stored on the host cannot be read (vm_host force: true replaces it)
    "missing_default_pool",  # the stored policy's default_storage_pool is no longer a pool of the host
    "not_managed",  # a fleet was to remove a VM the collection did not compose (it removes only its own)
    "unsupported",  # the driver has no such operation on its hypervisor (drivers/contract.py names the defaults)
    "hypervisor",  # any other refusal of the hypervisor, with its own message
)


class DriverError(Exception):
    """``left``: what a failed compose made and could not remove (its rollback failed too), for the caller to retry."""

    def __init__(self, kind: str, message: str, left=None):
        if kind not in KINDS:
            raise ValueError(f"unknown DriverError kind {kind!r}")
        self.kind = kind
        self.message = message
        self.left = left or []
        super().__init__(message)
