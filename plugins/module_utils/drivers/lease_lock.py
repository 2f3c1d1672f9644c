# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compose lock's protocol, shared by the drivers: atomic create, lease, break when expired, token release.

Capacity rule 9 needs the read-fit-create step of vm_compose to be exclusive per VM host, from any controller.
Each driver has one kind of thing its hypervisor creates at most once under a name (a libvirt volume, an LXD
profile): creating the lock's name is the acquire, deleting it the release. Its content says who holds it, with a
random token, and until when; a holder that died leaves a lock that others break once its lease has run out. A
driver supplies only how to create, read, delete and list such named things.

Why breaking needs a second object. Neither backing can delete "only if the content is still X": a delete takes
a name. Reading the holder and then deleting is check-then-delete, and two waiters that both saw one expired lock
could do this: A deletes it, C takes a fresh lock, B deletes C's lock, and A or B and C now all compose at once.
So every delete of the lock (a break, and the holder's own release too) first creates a *breaker* named after
the token it means to delete, ``<lock>-break-<token>``, with the same atomic create. The argument:

1. Only the one job that created ``<lock>-break-T`` may delete a lock whose token is T; the backing lets only one
   creation of a name succeed, so at most one job at a time owns the right to delete lock T.
2. Nothing else changes lock T while it exists: its content is written once, by its creator, and no other job
   may delete it (1). So when the breaker's owner reads the lock again after creating the breaker and finds T
   (the same content it judged expired), the lock is still T when it deletes it: it never deletes a newer lock.
3. A late waiter that still remembers T and creates ``<lock>-break-T`` after T is gone reads a different lock
   (or none) and deletes nothing. Tokens are random, so T never comes back.
4. Hence a breaker left behind by a job that died after deleting its lock is harmless, and the next job to take
   the lock removes breakers of other tokens (by 3, nobody can still use them to delete).

A lock whose content cannot be read (libvirt creates the volume, then writes it; a hand edit) is broken the same
way under the token ``unwritten``, compared on the whole content read. What this does not cover: a holder that is
alive but past its lease (it is treated as dead, as before), and a job dying while it owns a breaker of the lock
that is still there; that breaker then stops the lock from being broken, and the timeout message names it.

When the holder is dead before its lease runs out. The lock says which process holds it (drivers/holder.py): a
waiter in the same kernel and pid namespace can prove that process gone (its pid no longer exists, or belongs to a
process started later) and breaks the lock at once instead of waiting out the lease. A holder elsewhere (another
controller, another container) cannot be proven dead from here; its lock is broken when the lease runs out.
"""

from __future__ import annotations

import os
import random
import re
import socket
import time
import uuid

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers import holder as holder_process
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

DEFAULT_TIMEOUT = 300  # seconds a job waits for the lock
DEFAULT_LEASE = 600  # seconds after which a lock whose holder never released it may be broken
UNWRITTEN = "unwritten"  # the breaker token of a lock whose content cannot be read
_TOKEN = re.compile(r"[0-9a-f]{32}")


def breaker_token(holder: dict) -> str:
    """The token a breaker of this lock content is named after (only our own tokens become names)."""
    token = holder.get("token") if isinstance(holder, dict) else None
    return token if isinstance(token, str) and _TOKEN.fullmatch(token) else UNWRITTEN


class LeaseLock:
    """Subclasses name the lock (``name``) and implement four operations on named objects of their backing.

    ``_create(name, content) -> bool`` (False: the name exists; content None for a breaker), ``_read(name)``
    (None when absent, {} when its content cannot be read), ``_delete(name)`` (no error when absent) and
    ``_names(prefix)`` (the names that start with ``prefix``).
    """

    name = "lock"

    def __init__(self, where: str, owner: str, timeout: float = DEFAULT_TIMEOUT, lease: float = DEFAULT_LEASE):
        self.where = where  # named in the timeout message: "this host", "project 'vms'"
        self.timeout = timeout
        self.lease = lease
        self.token = uuid.uuid4().hex
        self.owner = f"{owner} (pid {os.getpid()} on {socket.gethostname()})"
        self.held = False

    # ---- the backing ----

    def _create(self, name: str, content) -> bool:
        raise NotImplementedError

    def _read(self, name: str):
        raise NotImplementedError

    def _delete(self, name: str) -> None:
        raise NotImplementedError

    def _names(self, prefix: str) -> list:
        raise NotImplementedError

    def describe(self, name: str) -> str:
        """How an operator finds a named object (for messages)."""
        return repr(name)

    # ---- the protocol ----

    def breaker_name(self, token: str) -> str:
        return f"{self.name}-break-{token}"

    def _holder(self):
        return self._read(self.name)

    def _delete_if(self, holder: dict) -> str:
        """Delete the lock if its content is still ``holder``, as the one owner of its breaker.

        Returns "deleted", "changed" (the lock is another one now, or gone) or "busy" (another job owns the
        breaker: it is breaking or releasing this very lock).
        """
        breaker = self.breaker_name(breaker_token(holder))
        if not self._create(breaker, None):
            return "busy"
        try:
            if self._holder() != holder:
                return "changed"
            self._delete(self.name)
            return "deleted"
        finally:
            self._delete(breaker)

    def _sweep(self) -> None:
        """Remove breakers of other tokens (left by jobs that died after deleting their lock; see 4 above)."""
        mine = self.breaker_name(self.token)
        for name in self._names(self.breaker_name("")):
            if name != mine:
                self._delete(name)

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        unreadable_since = None
        busy = None
        while True:
            if self._create(self.name, self._content()):
                self.held = True
                self._sweep()
                return
            holder = self._holder()
            if holder == {}:
                unreadable_since = unreadable_since or time.monotonic()
                expired = time.monotonic() - unreadable_since > self.lease
            else:
                unreadable_since = None
                expired = holder is not None and (
                    holder.get("expires", 0) < time.time() or holder_process.is_dead(holder.get("process"))
                )
            if expired:
                outcome = self._delete_if(holder)  # the holder died: its lease ran out, or its process is gone
                if outcome != "busy":
                    busy = None
                    continue
                busy = self.breaker_name(breaker_token(holder))
            if time.monotonic() > deadline:
                raise DriverError("lock_timeout", self._timeout_message(holder, busy))
            time.sleep(random.uniform(0.1, 0.5))  # jitter, so waiting jobs do not retry in step

    def _content(self) -> dict:
        return {
            "token": self.token,
            "owner": self.owner,
            "expires": time.time() + self.lease,
            "process": holder_process.identity(),
        }

    def _timeout_message(self, holder, busy) -> str:
        who = (holder or {}).get("owner", "an unknown job")
        message = (
            f"waited {self.timeout:g} s for the compose lock of {self.where}, held by {who}; if that job died, "
            f"the lock is broken at once by a job on the same machine, else {self.lease:g} s after it was taken"
        )
        if busy:
            message += (
                f"; its lease has run out but another job's breaker {self.describe(busy)} is still there: if no job "
                f"is composing on this host, delete that breaker and the lock {self.describe(self.name)}"
            )
        return message

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        holder = self._holder()
        if holder and holder.get("token") == self.token:
            # "busy": a waiter found our lease run out and is breaking our lock; it deletes it, not us
            self._delete_if(holder)

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, exc_type, exc, traceback):
        try:
            self.release()
        except DriverError as error:
            if not isinstance(exc, DriverError):
                raise
            # the job's own failure is what the operator must see; the lock is then freed by the next job (at
            # once when this process is gone, else when its lease runs out)
            exc.message += f"; the compose lock could not be released either: {error.message}"
        return False
