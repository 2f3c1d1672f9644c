# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's compose lock on LXD: one job at a time between reading capacity and creating its instance.

Capacity rule 9 (several jobs on one host never push it past its policy) needs the read-fit-create step to be
exclusive per VM host, from any controller, over the socket or HTTPS. The lock is a profile named
``vmfleet-compose-lock`` in the project: LXD's database creates a profile name at most once per project (of
simultaneous creations exactly one succeeds, the others fail on the unique name), so creating it is the atomic
acquire and deleting it the release, as the libvirt lock does with a volume. The profile's ``user.vmfleet.lock``
key, written in the same request, says who holds it and until when; a holder that died leaves a lock that others
break once its lease has run out. Same guarantee, lease, timeout and owner as drivers/libvirt/lock.py.

Why not the project's ETag: LXD 5.0.2 checks ``If-Match`` and writes the project in two steps, so several
simultaneous writers with the same ETag can all succeed (seen on this project's test daemon). A project
without ``features.profiles`` keeps its profiles in the default project; its lock is then shared with the default
project's, which only serialises more, never less.
"""

from __future__ import annotations

import json
import os
import random
import socket
import time
import uuid

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

LOCK_PROFILE = "vmfleet-compose-lock"
LOCK_KEY = "user.vmfleet.lock"
DEFAULT_TIMEOUT = 300  # seconds a job waits for the lock
DEFAULT_LEASE = 600  # seconds after which a lock whose holder never released it may be broken


def _status(error):
    return getattr(getattr(error, "response", None), "status_code", None)


def _exists_error(error) -> bool:
    # 409 when LXD sees the name first, 500 "already exists" when the database's unique name refuses it
    return _status(error) == 409 or "already exists" in str(error)


class ProjectLock:
    def __init__(self, profiles, project: str, owner: str, timeout: float = DEFAULT_TIMEOUT, lease=DEFAULT_LEASE):
        self.profiles = profiles  # /1.0/profiles with the project parameter
        self.project = project
        self.timeout = timeout
        self.lease = lease
        self.token = uuid.uuid4().hex
        self.owner = f"{owner} (pid {os.getpid()} on {socket.gethostname()})"
        self.held = False

    def _fail(self, what: str, error) -> DriverError:
        return DriverError("hypervisor", f"cannot {what} the compose lock of project {self.project!r}: {error}")

    def _create(self) -> bool:
        content = {"token": self.token, "owner": self.owner, "expires": time.time() + self.lease}
        body = {
            "name": LOCK_PROFILE,
            "description": "vmfleet.hosts compose lock: held while a job composes; removed when it is done",
            "config": {LOCK_KEY: json.dumps(content, sort_keys=True)},
            "devices": {},
        }
        try:
            self.profiles.post(json=body)
        except Exception as error:  # pylxd's LXDAPIException, requests' errors
            if _exists_error(error):
                return False
            raise self._fail("take", error) from None
        return True

    def holder(self):
        """Who holds the lock: None when free, {} when its value is unreadable (being written, or edited)."""
        try:
            response = self.profiles[LOCK_PROFILE].get()
        except Exception as error:
            if _status(error) == 404:
                return None
            raise self._fail("read", error) from None
        text = ((response.json().get("metadata") or {}).get("config") or {}).get(LOCK_KEY)
        try:
            found = json.loads(text or "")
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    def _delete(self) -> None:
        try:
            self.profiles[LOCK_PROFILE].delete()
        except Exception as error:
            if _status(error) != 404:
                raise self._fail("remove", error) from None

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        unreadable_since = None
        while True:
            if self._create():
                self.held = True
                return
            holder = self.holder()
            if holder == {}:
                unreadable_since = unreadable_since or time.monotonic()
                expired = time.monotonic() - unreadable_since > self.lease
            else:
                unreadable_since = None
                expired = holder is not None and holder.get("expires", 0) < time.time()
            if expired and holder is not None and self.holder() == holder:
                self._delete()  # the holder died: its lease ran out
                continue
            if time.monotonic() > deadline:
                who = (holder or {}).get("owner", "an unknown job")
                raise DriverError(
                    "lock_timeout",
                    f"waited {self.timeout:g} s for the compose lock of project {self.project!r}, held by {who}; "
                    f"if that job died, the lock is broken automatically {self.lease:g} s after it was taken",
                )
            time.sleep(random.uniform(0.1, 0.5))  # jitter, so waiting jobs do not retry in step

    def release(self) -> None:
        if not self.held:
            return
        holder = self.holder()
        if holder and holder.get("token") == self.token:
            self._delete()
        self.held = False

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc_info):
        self.release()
        return False
