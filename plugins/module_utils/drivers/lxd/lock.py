# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's compose lock on LXD: one job at a time between reading capacity and creating its instance.

Capacity rule 9 (several jobs on one host never push it past its policy) needs the read-fit-create step to be
exclusive per VM host, from any controller, over the socket or HTTPS. The lock is the project's
``user.vmfleet.lock`` config key, taken with a compare-and-swap on the project's ETag: a job writes the key only
if the project is still as it read it, without a lock, so of two jobs that saw it free exactly one gets
LXD's 200 and the other its 412 Precondition Failed. The value says who holds it and until when; a holder that
died leaves a lock that others break, with the same compare-and-swap, once its lease has run out. This is the
same guarantee, lease, timeout and owner as the libvirt lock (drivers/libvirt/lock.py).
"""

from __future__ import annotations

import json
import os
import random
import socket
import time
import uuid

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import project_config

LOCK_KEY = "user.vmfleet.lock"
DEFAULT_TIMEOUT = 300  # seconds a job waits for the lock
DEFAULT_LEASE = 600  # seconds after which a lock whose holder never released it may be broken


def holder_of(config: dict):
    """Who holds the lock according to a project config: None when free, {} when the value is unreadable."""
    text = config.get(LOCK_KEY)
    if not text:
        return None
    try:
        holder = json.loads(text)
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}


class ProjectLock:
    def __init__(self, node, project: str, owner: str, timeout: float = DEFAULT_TIMEOUT, lease=DEFAULT_LEASE):
        self.node = node  # /1.0/projects/<project>, without a project parameter
        self.project = project
        self.timeout = timeout
        self.lease = lease
        self.token = uuid.uuid4().hex
        self.owner = f"{owner} (pid {os.getpid()} on {socket.gethostname()})"
        self.held = False

    def _read(self):
        found = project_config.read(self.node, self.project)
        if found is None:
            raise DriverError("not_a_vm_host", f"project {self.project!r} does not exist any more: it is not a VM host")
        return found

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        unreadable_since = None
        while True:
            found = self._read()
            holder = holder_of(found.config)
            if holder == {}:
                # only a hand edit leaves an unreadable value (ours is written whole); give it a lease too
                unreadable_since = unreadable_since or time.monotonic()
                expired = time.monotonic() - unreadable_since > self.lease
            else:
                unreadable_since = None
                expired = holder is not None and holder.get("expires", 0) < time.time()
            if holder is None or expired:
                content = {"token": self.token, "owner": self.owner, "expires": time.time() + self.lease}
                config = dict(found.config)
                config[LOCK_KEY] = json.dumps(content, sort_keys=True)
                if project_config.replace(self.node, self.project, found, config):
                    self.held = True
                    return
                continue  # the project changed since we read it: read again and decide again
            if time.monotonic() > deadline:
                who = holder.get("owner", "an unknown job")
                raise DriverError(
                    "lock_timeout",
                    f"waited {self.timeout:g} s for the compose lock of project {self.project!r}, held by {who}; "
                    f"if that job died, the lock is broken automatically {self.lease:g} s after it was taken",
                )
            time.sleep(random.uniform(0.1, 0.5))  # jitter, so waiting jobs do not retry in step

    def release(self) -> None:
        if not self.held:
            return

        def change(config):
            if (holder_of(config) or {}).get("token") != self.token:
                return None  # broken after our lease ran out and taken by another job: not ours to remove
            del config[LOCK_KEY]
            return config

        if project_config.read(self.node, self.project) is not None:
            project_config.update(self.node, self.project, change)
        self.held = False

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc_info):
        self.release()
        return False
