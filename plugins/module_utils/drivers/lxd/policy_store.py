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

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers import stored_policy
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import project_config

POLICY_KEY = "user.vmfleet.policy"
FORMAT_VERSION = stored_policy.FORMAT_VERSION


def where(project: str) -> stored_policy.Where:
    return stored_policy.Where(
        f"{POLICY_KEY} of project {project!r}", f"lxc project get {project} {POLICY_KEY} (on the LXD server)"
    )


def decode(text, project: str):
    """The policy dict out of the key's value, or None for an unset or empty key; a corrupt one is a DriverError."""
    return stored_policy.decode(text, where(project))


def encode(policy: dict) -> str:
    return stored_policy.encode(policy)


def read_text(node, project: str):
    """The key's value as it is, or None when unset (or the project does not exist)."""
    found = project_config.read(node, project)
    return found.config.get(POLICY_KEY) if found else None


def read_policy(node, project: str):
    """The stored policy dict, or None when the project is not a VM host (or does not exist)."""
    return decode(read_text(node, project), project)


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
