# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one base every vmfleet.hosts module builds on (the amazon.aws way), so each module stays a thin shell.

Its job is the boundary: the core raises plain errors that already name the option, the resource and the figures;
here they become ``fail_json`` results, with the same message and the figures as separate keys for playbooks
that want to branch on them.
"""

from __future__ import annotations

import contextlib

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError, PolicyError
from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_resolution import resolve_connection
from ansible_collections.vmfleet.hosts.plugins.module_utils.connection_spec import MUTUALLY_EXCLUSIVE, REQUIRED_TOGETHER
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.factory import open_driver
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.errors import (
    JINJA2_REQUIRED,
    RenderError,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.option_shapes import shape_problem
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError


def _plain(value):
    """A figure safe to put in a module result (numbers, strings, lists of them), else its text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


def failure(error: Exception) -> dict:
    """The failure result of one of the core's errors: its message, and its figures as separate keys for
    playbooks that want to branch on them. Re-raises what is no user's doing (a bug should show as one)."""
    if isinstance(error, (SpecError, PolicyError)):
        return {"msg": str(error), "option": error.option, "reason": error.reason}
    if isinstance(error, DriverError):
        return {"msg": error.message, "kind": error.kind}
    if isinstance(error, RenderError):
        # a missing jinja2 is the one RenderError a user can cause
        if not str(error).startswith(JINJA2_REQUIRED):
            raise error
        return {"msg": f"{error} (pip install jinja2, or python3-jinja2)", "kind": "missing_binding"}
    if isinstance(error, CapacityError):
        return {
            "msg": str(error),
            "host": error.host,
            "resource": error.resource,
            "allowed": _plain(error.allowed),
            "free": _plain(error.free),
            "requested": _plain(error.requested),
        }
    raise error


class VmFleetModule(AnsibleModule):
    """AnsibleModule plus the translation of the core's errors into failures."""

    def __init__(self, argument_spec: dict, **kwargs):
        if "server_cert" in argument_spec:  # the connection options: their constraints come with them
            kwargs["mutually_exclusive"] = list(kwargs.get("mutually_exclusive") or []) + MUTUALLY_EXCLUSIVE
            kwargs["required_together"] = list(kwargs.get("required_together") or []) + REQUIRED_TOGETHER
        self._shapes_checked = False
        super().__init__(argument_spec=argument_spec, **kwargs)

    def _set_internal_properties(self, argument_spec=None, module_parameters=None):
        """AnsibleModule calls this once the parameters are loaded and before it validates them: options with
        suboptions in the wrong shape fail here, named (see option_shapes), before ansible-core trips on them."""
        super()._set_internal_properties(argument_spec, module_parameters)
        if self._shapes_checked or argument_spec is not None:
            return
        self._shapes_checked = True
        problem = shape_problem(self.argument_spec, self.params)
        if problem:
            # the whole value of an option holding secrets is masked (also in the invocation that -vvv shows)
            self.no_log_values.update(problem.pop("secrets"))
            self.fail_json(**problem)

    @contextlib.contextmanager
    def core_errors(self):
        """Fail the task with the core's own message when user input or capacity is refused."""
        try:
            yield
        except (SpecError, PolicyError, DriverError, RenderError, CapacityError) as error:
            self.fail_json(**failure(error))

    def connection(self, default_type: str = "libvirt", https_without_address: bool = False) -> dict:
        """The connection options with the environment and the defaults applied (raises DriverError)."""
        return resolve_connection(self.params, default_type, https_without_address=https_without_address)

    @contextlib.contextmanager
    def driver(self):
        """The driver for the module's connection options, closed when the block ends."""
        driver = open_driver(self.connection())
        try:
            yield driver
        finally:
            driver.close()
