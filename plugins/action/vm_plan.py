# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vm_plan on the controller: the plan is pure computation, so it needs no module round trip.

Through the module, a fleet's host records went through AnsiballZ, a subprocess, Ansible's argument spec (nested
suboptions, deep copies) and exit_json's no_log scrubbing of a result of whole records; at 1,000 hosts x 10,000
requests that was 90 s and more than a gigabyte for a 2 s plan. Here the task's options go straight to the
capacity core (module_utils/plan_task.py holds the logic; this file is the Ansible shell around it), which
validates them once and names the option of anything it refuses. The module file keeps the documentation (an
action plugin uses the docs of the module of its name) and its own main for direct runs.
"""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import PolicyError
from ansible_collections.vmfleet.hosts.plugins.module_utils.plan_task import read_text_file, run_plan_task
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError


def task_result(args: dict, read_file=read_text_file) -> dict:
    """The task's result, or a failure naming the option for bad input (what the module's core_errors did)."""
    try:
        return run_plan_task(args, read_file)
    except (SpecError, PolicyError) as error:
        return {"failed": True, "changed": False, "msg": str(error), "option": error.option, "reason": error.reason}


class ActionModule(ActionBase):
    """Plans with the capacity core in the worker; the target host is never contacted (nor connected to)."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # The plan's result holds no secret and no option is no_log, so nothing is scrubbed (see plan_task.py).
        result.update(task_result(self._task.args, self._read_file))
        return result

    def _read_file(self, path, option):
        """hosts_file / requests_file: found as copy's src is (files/ of the role or play, then the playbook's
        directory) and decrypted when vaulted; read here, on the controller, as plain text."""
        try:
            found = self._find_needle("files", path)
        except AnsibleError:
            raise SpecError(
                option, path, "is not a file on the controller (looked in files/ and next to the playbook)"
            ) from None
        try:
            real = self._loader.get_real_file(found, decrypt=True)
        except AnsibleError as error:
            raise SpecError(option, path, f"cannot be read: {error.message}") from None
        try:
            return read_text_file(real, option)
        finally:
            self._loader.cleanup_tmp_file(real)
