# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Incus driver: the LXD driver over Incus's API, with the differences of drivers/incus/dialect.py.

The client is pylxd, as for LXD: Incus 6.0 answers the same ``/1.0`` REST API (instances, projects, resources,
certificates, operations) that pylxd 2.4 speaks, so the LXD driver's discovery, compose, removal and lock code
runs unchanged; docs/incus.md says why no other client was chosen.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.contract import ComposePlan
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.incus import dialect
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.driver import LxdDriver


class IncusDriver(LxdDriver):
    type = dialect.HOST_TYPE
    label = "Incus"

    def __init__(self, connection: dict):
        # no address means the local Incus socket, never LXD's (the LXD driver's default)
        connection = dict(connection)
        connection["address"] = connection.get("address") or dialect.local_socket()
        try:
            super().__init__(connection)
        except DriverError as error:
            raise DriverError(error.kind, _incus_words(error.message)) from None

    def inventory(self, policy=None, empty_project: bool = False):
        found = super().inventory(policy, empty_project)
        found.record["type"] = dialect.HOST_TYPE
        if (found.record.get("hardware_id") or "").startswith("lxd:"):
            found.record["hardware_id"] = "incus:" + found.record["hardware_id"][len("lxd:") :]
        return found

    def plan_new(self, inventory, alloc: dict, request: dict, options: dict) -> ComposePlan:
        plan = super().plan_new(inventory, alloc, request, options)
        plan.private["body"]["config"].update({k: v for k, v in dialect.numa_limits(alloc).items() if v is not None})
        return plan

    def plan_update(self, inventory, alloc: dict, request: dict, options: dict, volumes: list, uuid) -> ComposePlan:
        plan = super().plan_update(inventory, alloc, request, options, volumes, uuid)
        plan.private["config"].update(dialect.numa_limits(alloc))  # None removes a binding the new placement drops
        return plan


def _incus_words(message: str) -> str:
    """The LXD driver's connection messages, with the names an Incus operator uses."""
    return (
        message.replace("lxc's pair", "incus's pair")
        .replace("`lxc ", f"`{dialect.CLI} ")
        .replace("with a trust token or password", "with a trust token")
        .replace("the lxd group", "the incus-admin group")
    )
