# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's compose lock on LXD: one job at a time between reading capacity and creating its instance.

Capacity rule 9 (several jobs on one host never push it past its policy) needs the read-fit-create step to be
exclusive per VM host, from any controller, over the socket or HTTPS. The lock is a profile named
``vmfleet-compose-lock`` in the project: LXD's database creates a profile name at most once per project (of
simultaneous creations exactly one succeeds, the others fail on the unique name), so creating it is the atomic
acquire and deleting it the release, as the libvirt lock does with a volume. The profile's ``user.vmfleet.lock``
key, written in the same request, says who holds it and until when (the protocol is drivers/lease_lock.py, as for
libvirt; its breakers are profiles ``vmfleet-compose-lock-break-<token>``, created the same atomic way).

Why not the project's ETag: LXD 5.0.2 checks ``If-Match`` and writes the project in two steps, so several
simultaneous writers with the same ETag can all succeed (seen on this project's test daemon). A project
without ``features.profiles`` keeps its profiles in the default project; its lock is then shared with the default
project's, which only serialises more, never less.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lease_lock import (
    DEFAULT_LEASE,
    DEFAULT_TIMEOUT,
    LeaseLock,
)

# LXD refuses with LXDAPIException; the transport fails with OSError (requests' errors are OSErrors)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.removal import LXDAPIException

LOCK_PROFILE = "vmfleet-compose-lock"
LOCK_KEY = "user.vmfleet.lock"


def _status(error):
    return getattr(getattr(error, "response", None), "status_code", None)


def _exists_error(error) -> bool:
    # 409 when LXD sees the name first, 500 "already exists" when the database's unique name refuses it
    return _status(error) == 409 or "already exists" in str(error)


class ProjectLock(LeaseLock):
    name = LOCK_PROFILE

    def __init__(self, profiles, project: str, owner: str, timeout: float = DEFAULT_TIMEOUT, lease=DEFAULT_LEASE):
        super().__init__(f"project {project!r}", owner, timeout=timeout, lease=lease)
        self.profiles = profiles  # /1.0/profiles with the project parameter
        self.project = project

    def _fail(self, what: str, error) -> DriverError:
        return DriverError("hypervisor", f"cannot {what} the compose lock of project {self.project!r}: {error}")

    def _create(self, name: str, content) -> bool:
        body = {"name": name, "config": {}, "devices": {}}
        if content is None:
            body["description"] = "vmfleet.hosts compose lock breaker: a job is deleting a lock whose lease ran out"
        elif "-job-" in name:
            body["description"] = "vmfleet.hosts compose record: what a compose in progress is making"
            body["config"][LOCK_KEY] = json.dumps(content, sort_keys=True)
        else:
            body["description"] = "vmfleet.hosts compose lock: held while a job composes; removed when it is done"
            body["config"][LOCK_KEY] = json.dumps(content, sort_keys=True)
        try:
            self.profiles.post(json=body)
        except (LXDAPIException, OSError) as error:
            if _exists_error(error):
                return False
            raise self._fail("take", error) from None
        return True

    def _read(self, name: str):
        """Who holds the lock: None when free, {} when its value is unreadable (being written, or edited)."""
        try:
            response = self.profiles[name].get()
        except (LXDAPIException, OSError) as error:
            if _status(error) == 404:
                return None
            raise self._fail("read", error) from None
        text = ((response.json().get("metadata") or {}).get("config") or {}).get(LOCK_KEY)
        try:
            found = json.loads(text or "")
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    def _delete(self, name: str) -> None:
        try:
            self.profiles[name].delete()
        except (LXDAPIException, OSError) as error:
            if _status(error) != 404:
                raise self._fail("remove", error) from None

    def _names(self, prefix: str) -> list:
        try:
            urls = self.profiles.get().json().get("metadata") or []
        except (LXDAPIException, OSError) as error:
            raise self._fail("list the profiles of", error) from None
        names = [unquote(url.split("?", 1)[0].rsplit("/", 1)[-1]) for url in urls if isinstance(url, str)]
        return [name for name in names if name.startswith(prefix)]

    def describe(self, name: str) -> str:
        return f"{name!r} (lxc profile delete {name} --project {self.project})"
