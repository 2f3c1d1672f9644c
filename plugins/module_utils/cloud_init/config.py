# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files of a cloud-init NoCloud seed: meta-data, user-data and network-config.

Written as JSON, which cloud-init's YAML loader reads as it is, so no YAML library is needed where the module
runs. SSH keys join the user-data; a NIC with an ``ip`` gets that address statically (matched by its MAC),
one with ``ip_mode: unconfigured`` no address, every other NIC DHCP.
"""

from __future__ import annotations

import ipaddress
import json

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.mappings import require_mapping
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.scalars import parse_text

CLOUD_INIT_KEYS = ("user_data", "ssh_authorized_keys", "hostname")


def parse_cloud_init(value, option: str = "cloud_init"):
    """Validate the module's ``cloud_init`` option; None stays None."""
    if value is None:
        return None
    given = require_mapping(value, option, CLOUD_INIT_KEYS, "cloud-init settings")
    user_data = given.get("user_data")
    if user_data is not None and not isinstance(user_data, (dict, str)):
        raise SpecError(
            f"{option}.user_data",
            MISSING,  # user-data may hold secrets: its value is never quoted
            f"is of type {type(user_data).__name__}, neither a cloud-config mapping nor a text",
        )
    keys = given.get("ssh_authorized_keys") or []
    if not isinstance(keys, list) or not all(isinstance(k, str) and k.strip() for k in keys):
        raise SpecError(f"{option}.ssh_authorized_keys", keys, "is not a list of public keys")
    if isinstance(user_data, str) and keys:
        raise SpecError(
            f"{option}.ssh_authorized_keys",
            keys,
            "cannot be merged into a user_data text; give user_data as a mapping, or put the keys in the text",
        )
    hostname = given.get("hostname")
    return {
        "user_data": user_data,
        "ssh_authorized_keys": [k.strip() for k in keys],
        "hostname": parse_text(hostname, f"{option}.hostname") if hostname is not None else None,
    }


def _user_data(settings) -> str:
    data = settings["user_data"]
    keys = settings["ssh_authorized_keys"]
    if isinstance(data, str):
        return data  # given as text (a script or cloud-config): passed on untouched
    config = dict(data or {})
    if keys:
        config["ssh_authorized_keys"] = list(config.get("ssh_authorized_keys") or []) + keys
    return "#cloud-config\n" + json.dumps(config, indent=2, sort_keys=True) + "\n"


def _network_config(nics) -> str:
    ethernets = {}
    for nic in nics:
        entry = {"match": {"macaddress": nic["mac"]}, "set-name": nic["name"]}
        if nic.get("ip_mode") == "unconfigured":
            pass  # MAAS's mode=unconfigured: the link comes up with no address (an ip= only chose the network)
        elif nic.get("ip"):
            prefix = ipaddress.ip_network(nic["subnet"]).prefixlen if nic.get("subnet") else None
            if prefix is None:
                raise SpecError(
                    f"interfaces.{nic['name']}.ip", nic["ip"], "needs the NIC's subnet too, for its prefix length"
                )
            entry["addresses"] = [f"{nic['ip']}/{prefix}"]
        else:
            entry["dhcp4"] = True
        ethernets[nic["name"]] = entry
    return json.dumps({"version": 2, "ethernets": ethernets}, indent=2, sort_keys=True) + "\n"


def seed_files(vm_name: str, settings, nics: list) -> dict:
    """File name -> bytes of the NoCloud seed for ``vm_name``; ``nics`` carry name, mac, ip, subnet."""
    settings = settings or {"user_data": None, "ssh_authorized_keys": [], "hostname": None}
    meta = {"instance-id": f"vmfleet-{vm_name}", "local-hostname": settings["hostname"] or vm_name}
    return {
        "meta-data": (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode("utf-8"),
        "user-data": _user_data(settings).encode("utf-8"),
        "network-config": _network_config(nics).encode("utf-8"),
    }
