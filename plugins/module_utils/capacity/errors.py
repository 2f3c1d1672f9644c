# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two errors of the capacity core.

Callers (modules, placement) show ``str(error)`` to operators unchanged, so each message carries the host, the
resource, what the policy allows, what is free and what was asked.
"""

from __future__ import annotations


class PolicyError(ValueError):
    """A policy value (ratio, reserved amount) outside what the policy language allows."""

    def __init__(self, option: str, value: object, reason: str):
        self.option = option
        self.value = value
        self.reason = reason
        super().__init__(f"{option}: {value!r} {reason}")


class CapacityError(Exception):
    """A request that does not fit one host, and why.

    ``stage`` orders the resources in the order the fit checks them; placement uses it with ``shortfall`` to name
    the host that came closest to holding a request.
    """

    def __init__(
        self,
        host: str,
        resource: str,
        message: str,
        allowed: object = None,
        free: object = None,
        requested: object = None,
        stage: int = 0,
    ):
        self.host = host
        self.resource = resource
        self.allowed = allowed
        self.free = free
        self.requested = requested
        self.stage = stage
        self.message = message
        super().__init__(f"Host {host}: {message}")

    @property
    def shortfall(self) -> float:
        """Fraction of the request that is missing (0..1); 1 when the figures are not numbers."""
        if isinstance(self.free, (int, float)) and isinstance(self.requested, (int, float)) and self.requested > 0:
            return max(0.0, min(1.0, (self.requested - max(self.free, 0)) / self.requested))
        return 1.0
