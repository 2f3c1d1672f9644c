# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vm_report: render host records (and a vm_plan result) as a capacity report, on the controller.

An action plugin, not a module: its input is data already on the controller (registered vm_host_info and vm_plan
results), so shipping it to a managed host to render there would only cost a transfer and a Jinja2 install. The
files are written with ansible.builtin.copy's own action, so they land where the task runs (the controller, or a
web server's directory with delegate_to), with copy's check mode, diff, mode and idempotence (same records, same
bytes, no change). The documentation lives in plugins/modules/vm_report.py.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.action import ActionBase

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import PolicyError
from ansible_collections.vmfleet.hosts.plugins.module_utils.record_spec import hosts_argspec, strip_unset
from ansible_collections.vmfleet.hosts.plugins.module_utils.report import facts as report_facts
from ansible_collections.vmfleet.hosts.plugins.module_utils.report import html, text
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

FORMATS = {"html": ".html", "text": ".txt", "json": ".json"}


def argument_spec() -> dict:
    return {
        "hosts": hosts_argspec(required=True),
        "plan": {"type": "dict"},
        "dest": {"type": "path", "required": True},
        "name": {"type": "str", "default": "capacity-report"},
        "formats": {
            "type": "list",
            "elements": "str",
            "choices": list(FORMATS),
            "default": list(FORMATS),
        },
        "title": {"type": "str", "default": "VM fleet capacity"},
        "pool_full_percent": {"type": "float", "default": report_facts.DEFAULT_POOL_FULL_PERCENT},
        "generated": {"type": "str"},
        "mode": {"type": "raw", "default": "0644"},
    }


def render(facts: dict, fmt: str) -> str:
    if fmt == "html":
        return html.render(facts)
    if fmt == "text":
        return text.render(facts)
    return json.dumps(facts, indent=2, sort_keys=True) + "\n"


class ActionModule(ActionBase):
    TRANSFERS_FILES = True
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # ActionBase manages its own temporary directory
        _validation, args = self.validate_argument_spec(argument_spec=argument_spec())
        if "/" in args["name"] or not args["name"].strip() or args["name"] in (".", ".."):
            return self._fail(result, "name", args["name"], "is not a file name; give a base name without a directory")
        try:
            facts = report_facts.build(
                strip_unset(args["hosts"]),
                plan=args["plan"],
                pool_full_percent=args["pool_full_percent"],
                title=args["title"],
                generated=args["generated"],
            )
        except (SpecError, PolicyError) as error:
            return self._fail(result, error.option, error.value, error.reason, msg=str(error))

        directory = self._run_module(
            "ansible.legacy.file", {"path": args["dest"], "state": "directory", "mode": "0755"}, task_vars
        )
        if directory.get("failed"):
            result.update(failed=True, msg=f"dest: cannot make directory {args['dest']}: {directory.get('msg')}")
            return result
        files, diffs, changed = {}, [], bool(directory.get("changed"))
        for fmt in dict.fromkeys(args["formats"]):
            path = os.path.join(args["dest"], args["name"] + FORMATS[fmt])
            copied = self._copy(render(facts, fmt), path, args["mode"], task_vars)
            if copied.get("failed"):
                result.update(failed=True, msg=f"cannot write {path}: {copied.get('msg')}", files=files)
                return result
            files[fmt] = path
            changed = changed or bool(copied.get("changed"))
            if copied.get("diff"):
                diffs.extend(copied["diff"] if isinstance(copied["diff"], list) else [copied["diff"]])
        result.update(
            changed=changed,
            files=files,
            findings=facts["findings"] + (facts["plan"]["findings"] if facts["plan"] else []),
            fleet=facts["fleet"],
            lines=text.render(facts).rstrip("\n").split("\n"),
        )
        if diffs:
            result["diff"] = diffs
        return result

    def _fail(self, result, option, value, reason, msg=None):
        result.update(failed=True, msg=msg or f"{option}: {value!r} {reason}", option=option, reason=reason)
        return result

    def _run_module(self, name, module_args, task_vars):
        return self._execute_module(module_name=name, module_args=module_args, task_vars=task_vars)

    def _copy(self, content, dest, mode, task_vars):
        """Write ``content`` with ansible.builtin.copy's action (check mode, diff and atomic replace come with it)."""
        task = self._task.copy()
        task.args = {"content": content, "dest": dest, "mode": mode}
        copy_action = self._shared_loader_obj.action_loader.get(
            "ansible.legacy.copy",
            task=task,
            connection=self._connection,
            play_context=self._play_context,
            loader=self._loader,
            templar=self._templar,
            shared_loader_obj=self._shared_loader_obj,
        )
        return copy_action.run(task_vars=task_vars)
