# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Named steps of a compose where the fault tests stop the module process, to kill it or restart its daemon there.

A crash-safety claim is only as good as the crashes it was tried with, and killing a process "at about the right
moment" tests whatever moment the scheduler picked. So a compose says when it reaches each step, and when the
environment variable ``VMFLEET_FAULT_POINT`` names that step the module process writes its pid to the file
``VMFLEET_FAULT_PID_FILE`` names and stops itself (SIGSTOP). The test then kills it (SIGKILL: no cleanup code runs,
as in an OOM kill or a power cut) or restarts the daemon and lets it go on (SIGCONT). Only the first time a step
is reached stops; with the variable unset (always, outside the tests) this does nothing.

Steps: ``lock_taken``, ``record_written`` (drivers/compose_records.py), ``volume_made`` (after each volume the
driver creates), ``domain_defined`` (libvirt), ``instance_created`` (LXD).
"""

from __future__ import annotations

import os
import signal

POINT_ENV = "VMFLEET_FAULT_POINT"
PID_FILE_ENV = "VMFLEET_FAULT_PID_FILE"


def reached(point: str) -> None:
    if os.environ.get(POINT_ENV) != point:
        return
    del os.environ[POINT_ENV]  # stop once: the test decides what happens next
    path = os.environ.get(PID_FILE_ENV)
    if path:
        with open(path + ".part", "w", encoding="ascii") as handle:
            handle.write(str(os.getpid()))
        os.replace(path + ".part", path)  # the test never reads a half-written pid
    os.kill(os.getpid(), signal.SIGSTOP)
