# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The LXD project's config as vmfleet's host-level store: read with its ETag, written only if unchanged.

LXD gives a project an ETag computed from its description and config and refuses a ``PUT`` whose ``If-Match``
no longer matches with 412 Precondition Failed. Every write here is such a compare-and-swap: a controller that
read the project before another one changed it reads again and decides again, instead of writing back stale
config. LXD 5.0.2 checks the ETag and writes in two steps, though, so writers that send their ``PUT`` in the
same instant can all pass the check (the last one's config stays): callers that must know they won read the key
back (policy_store does). The compose lock does not rely on this; see lock.py.
"""

from __future__ import annotations

import random
import time

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

# LXD refuses with LXDAPIException; the transport fails with OSError (requests' errors are OSErrors)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.removal import LXDAPIException

CAS_ATTEMPTS = 50  # a busy project settles long before this; past it something rewrites it in a loop


class Project:
    """A snapshot of one project: its config, description and ETag."""

    def __init__(self, config: dict, description: str, etag):
        self.config = config
        self.description = description
        self.etag = etag


def _status(error):
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None)


def read(node, name: str):
    """The project as it is now, or None when it does not exist (``node`` is /1.0/projects/<name>)."""
    try:
        response = node.get()
    except (LXDAPIException, OSError) as error:
        if _status(error) == 404:
            return None
        raise DriverError("hypervisor", f"cannot read project {name!r}: {error}") from None
    data = response.json().get("metadata") or {}
    return Project(dict(data.get("config") or {}), data.get("description") or "", response.headers.get("ETag"))


def replace(node, name: str, project: Project, config: dict) -> bool:
    """Write ``config`` if the project is still as read; False when someone changed it meanwhile (412)."""
    headers = {"If-Match": project.etag} if project.etag else {}
    try:
        node.put(json={"config": config, "description": project.description}, headers=headers)
    except (LXDAPIException, OSError) as error:
        if _status(error) == 412:
            return False
        if _status(error) == 403:
            # LXD lets only unrestricted clients change a project: the policy is the host owner's to set
            raise DriverError(
                "permission",
                f"cannot write the config of project {name!r}: this client's certificate is restricted to projects, "
                f"and LXD lets only unrestricted clients change a project's config; register the VM host "
                f"(vmfleet.hosts.vm_host) over the host's unix socket or with an unrestricted certificate, then use "
                f"the restricted one for vm_host_info and vm_compose",
            ) from None
        raise DriverError("hypervisor", f"cannot write the config of project {name!r}: {error}") from None
    return True


def update(node, name: str, change) -> bool:
    """Apply ``change(config) -> new config or None`` atomically; False when it asked for no change.

    Retries from a fresh read each time another writer got in first.
    """
    for _attempt in range(CAS_ATTEMPTS):
        project = read(node, name)
        if project is None:
            raise DriverError("hypervisor", f"project {name!r} disappeared while vmfleet was writing to it")
        new = change(dict(project.config))
        if new is None:
            return False
        if replace(node, name, project, new):
            return True
        time.sleep(random.uniform(0.01, 0.1))  # jitter, so writers do not collide in step
    raise DriverError(
        "hypervisor", f"project {name!r} changed under every one of {CAS_ATTEMPTS} attempts to write its config"
    )
