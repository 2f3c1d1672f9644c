# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The LXD driver: what modules call to read a host, keep its policy and compose instances on it.

It translates between LXD's REST API and the capacity core's plain data and never decides capacity itself.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.connection import open_client


class LxdDriver:
    type = "lxd"

    def __init__(self, connection: dict):
        self.client = open_client(connection)
        self.address = self.client.api._api_endpoint.rsplit("/1.0", 1)[0]
        self.project = connection.get("project") or "default"
        if self.client.host_info.get("auth") != "trusted":
            raise DriverError(
                "permission",
                f"{self.address} does not trust this client's certificate: get it trusted first "
                f"(vmfleet.hosts.lxd_trust with a trust token or password)",
            )

    def close(self) -> None:
        # requests sessions hold pooled sockets only; nothing on the server side to release
        self.client.api.session.close()

    # ---- host: discovery, policy, lock (drivers/lxd/discovery.py, policy_store.py, lock.py) ----

    # ---- composing: instances (drivers/lxd/instances.py, compose_plan.py, compose.py, removal.py) ----
