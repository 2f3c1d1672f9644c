# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection a module uses: its options, else the environment, else the defaults.

For each option: the task (or ``module_defaults``) > its ``VMFLEET_*`` variable > the default. Below those come
the hypervisors' own conventions: libvirt's ``LIBVIRT_DEFAULT_URI`` for a libvirt host's address, and the lxc
client's certificate for an LXD host reached over HTTPS. Everything is read where the module runs.

This is done here, after Ansible has validated the options, rather than with ``fallback=(env_fallback, ...)`` in
the argument spec: Ansible applies fallbacks before aliases and before ``mutually_exclusive``, so a task giving
``uri`` with VMFLEET_ADDRESS set would warn that both ``address`` and ``uri`` are set, and a task's own
``server_cert`` with VMFLEET_SERVER_FINGERPRINT set would be refused as mutually exclusive with a value the task
never gave.
"""

from __future__ import annotations

import os

from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_spec import (
    ADDRESS_ALIASES_FOR,
    ENVIRONMENT,
    LXD_ONLY,
    TOGETHER,
    connection_params,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.factory import TYPES, infer_type
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.incus.dialect import (
    client_config_dirs as incus_client_dirs,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.locations import default_client_pair

PATH_OPTIONS = ("client_cert", "client_key", "server_cert")
DEFAULT_PROJECT = "default"


def _partners(option: str) -> tuple:
    for group in TOGETHER:
        if option in group:
            return group
    return (option,)


def _from_environment(given: dict, environ) -> dict:
    """{option: (value, variable)} for the options the task left out that the environment sets."""
    found = {}
    for option, names in ENVIRONMENT.items():
        if any(given.get(partner) is not None for partner in _partners(option)):
            continue
        for name in names:
            if environ.get(name):
                found[option] = (environ[name], name)
                break
    return found


def _host_type(resolved: dict, default_type: str) -> str:
    if resolved.get("type"):
        return resolved["type"]
    return infer_type(resolved["address"]) if resolved.get("address") else default_type


def _check_alias(params: dict, host_type: str, resolved: dict) -> None:
    """``uri`` names libvirt URIs and ``url`` LXD addresses: one used for the other hypervisor is a mistake."""
    for alias, meant in ADDRESS_ALIASES_FOR.items():
        value = params.get(alias)
        if value is None or host_type == meant:
            continue
        why = "type: " + host_type if resolved.get("type") else f"{value!r} is an address of a {host_type} host"
        if alias == "uri":
            raise DriverError(
                "bad_address",
                f"uri is community.libvirt's name for a libvirt URI, but this is an LXD host ({why}); give an LXD "
                f"address as address (or url, community.general.lxd_container's name)",
            )
        raise DriverError(
            "bad_address",
            f"url is community.general.lxd_container's name for an LXD address, but this is a libvirt host ({why}); "
            f"give a libvirt URI as address (or uri, community.libvirt's name)",
        )


def resolve_connection(
    params: dict, default_type: str = "libvirt", environ=None, exists=os.path.isfile, https_without_address=False
) -> dict:
    """The connection options the driver gets: address, type, project, client and server certificates.

    ``default_type`` is the host type when neither ``type`` nor an address says (lxd_trust only talks to LXD);
    ``https_without_address`` says that no address still means HTTPS (lxd_trust with a token goes to its address).
    Raises DriverError (kind ``bad_address``) for an alias of the wrong hypervisor or a bad VMFLEET_TYPE.
    """
    environ = os.environ if environ is None else environ
    given = connection_params(params)
    resolved = dict(given)
    ambient = _from_environment(given, environ)
    for option, (value, name) in ambient.items():
        if option == "type" and value not in TYPES:
            raise DriverError("bad_address", f"{name}={value!r} is not a VM host type; use one of {', '.join(TYPES)}")
        # as Ansible treats a type=path option: ~ and $VARS expanded
        resolved[option] = os.path.expanduser(os.path.expandvars(value)) if option in PATH_OPTIONS else value

    host_type = _host_type(resolved, default_type)
    _check_alias(params, host_type, resolved)
    resolved["type"] = host_type
    resolved["project"] = resolved.get("project") or DEFAULT_PROJECT

    if host_type == "libvirt":
        # LXD settings in the environment are meant for LXD hosts; only a task's own are refused for libvirt
        for option in LXD_ONLY:
            if option in ambient:
                resolved[option] = None
        if not resolved.get("address") and environ.get("LIBVIRT_DEFAULT_URI"):
            resolved["address"] = environ["LIBVIRT_DEFAULT_URI"]
    elif _is_https(resolved.get("address") or ("https://" if https_without_address else None)) and not (
        resolved.get("client_cert") or resolved.get("client_key")
    ):
        # the incus client keeps its pair apart from lxc's (drivers/incus/dialect.py)
        dirs = incus_client_dirs(environ) if host_type == "incus" else None
        pair = default_client_pair(environ, exists, dirs)
        if pair:
            resolved["client_cert"], resolved["client_key"] = pair
    return resolved


def _is_https(address) -> bool:
    return isinstance(address, str) and address.strip().lower().startswith("https://")
