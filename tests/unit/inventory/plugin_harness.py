# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the vmfleet.hosts.vms plugin through Ansible's inventory machinery on a fake VM host, in its own process.

Ansible's collection loader must be installed before anything imports ``ansible_collections`` (the plugin's
options come from its documentation and fragments through it), which a pytest process that already imported the
collection's code cannot do; so the test runs this file and reads what it prints.
Usage: ``python plugin_harness.py <collections path> <source file> <parses>``; prints JSON.
"""

from __future__ import annotations

import json
import sys

from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, inventory_loader


def main(collections: str, source: str, parses: int) -> dict:
    init_plugin_loader([collections])
    from fake_host import V4, FakeDriver, vm  # noqa: PLC0415 - only once the collection loader is in place

    from ansible_collections.vmfleet.hosts.plugins.inventory import vms  # noqa: PLC0415
    from ansible_collections.vmfleet.hosts.plugins.plugin_utils import vm_inventory  # noqa: PLC0415

    driver = FakeDriver(
        [vm("web-1", tags=["frontend"]), vm("db-1", power_state="stopped", memory=8192)], addresses={"web-1": [V4]}
    )
    opened = []

    def opener(connection):
        opened.append(connection["address"])
        return driver

    real = vm_inventory.read_host
    vms.read_host = lambda params, label, unmanaged, link_local: real(params, label, unmanaged, link_local, opener)
    plugin = inventory_loader.get("vmfleet.hosts.vms")
    out = {"verify": plugin.verify_file(source), "opened": opened, "runs": []}
    for index in range(parses):
        inventory = InventoryData()
        try:
            # the first parse refreshes the cache (as ansible-inventory --flush-cache), later ones may use it
            plugin.parse(inventory, DataLoader(), source, cache=index > 0)
            if getattr(plugin, "_cache", None) is not None:  # as the inventory manager does
                plugin.update_cache_if_changed()
        except AnsibleParserError as error:
            out["error"] = str(error)
            break
        out["runs"].append(
            {
                "hosts": {name: host.vars for name, host in inventory.hosts.items()},
                "groups": {name: sorted(h.name for h in g.get_hosts()) for name, g in inventory.groups.items()},
            }
        )
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3])), default=str))
