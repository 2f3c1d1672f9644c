# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VM host policy as stored on an LXD host: JSON in the project's ``user.vmfleet.policy`` config key.

One key, written with the project's ETag (see project_config) and read back, so every controller that reaches the
project over the socket or HTTPS reads the same policy and a write that lost to another controller's fails
instead of passing silently. ``user.*`` keys are
free-form in LXD and kept with the project; a project is one VM host, so two projects on one server are two VM
hosts with their own policies.
"""

from __future__ import annotations

import json

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import project_config

POLICY_KEY = "user.vmfleet.policy"
FORMAT_VERSION = 1


def decode(text, project: str):
    """The policy dict out of the key's value, or None for an unset or empty key."""
    if not text:
        return None
    try:
        stored = json.loads(text)
    except ValueError as error:
        raise DriverError(
            "hypervisor", f"the stored policy ({POLICY_KEY} of project {project!r}) is not JSON: {error}"
        ) from None
    if not isinstance(stored, dict) or stored.get("format") != FORMAT_VERSION:
        found = stored.get("format") if isinstance(stored, dict) else stored
        raise DriverError(
            "hypervisor",
            f"the stored policy ({POLICY_KEY} of project {project!r}) has format {found!r}; this collection reads "
            f"format {FORMAT_VERSION}",
        )
    return stored["policy"]


def encode(policy: dict) -> str:
    return json.dumps({"format": FORMAT_VERSION, "policy": policy}, sort_keys=True)


def read_policy(node, project: str):
    """The stored policy dict, or None when the project is not a VM host (or does not exist)."""
    found = project_config.read(node, project)
    return decode(found.config.get(POLICY_KEY), project) if found else None


def write_policy(node, project: str, policy: dict) -> None:
    value = encode(policy)

    def change(config):
        if config.get(POLICY_KEY) == value:
            return None
        config[POLICY_KEY] = value
        return config

    project_config.update(node, project, change)
    # LXD 5.0's ETag check is not atomic against a write in the same instant: make sure ours is the one kept
    found = project_config.read(node, project)
    if found is None or found.config.get(POLICY_KEY) != value:
        raise DriverError(
            "hypervisor",
            f"another controller wrote the policy of project {project!r} at the same moment and its policy was "
            f"kept; run the task again to apply this one",
        )


def remove_policy(node, project: str) -> bool:
    """Unset the key; False when there was none. The project itself stays."""

    def change(config):
        if POLICY_KEY not in config:
            return None
        del config[POLICY_KEY]
        return config

    if project_config.read(node, project) is None:
        return False
    return project_config.update(node, project, change)
