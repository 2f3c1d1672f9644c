# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The libvirt domain XML of a composed VM, rendered from a Jinja2 template.

Pure: a spec dict in (built by the driver from the capacity core's allocation), an XML string out; no libvirt
binding. Requires the jinja2 Python library on the host running the module (it is an ansible-core dependency, so it
is there wherever ansible-core is installed); it is imported on first use so the rest of the driver loads without it.

The environment is sandboxed and autoescaping with ``StrictUndefined``: VM names, tags and the stored request are
data, so they are escaped into XML text and attribute values and can never add elements.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.metadata import (
    VMFLEET_NS,
    VMFLEET_NS_PREFIX,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.domain_template import (
    DOMAIN_TEMPLATE,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.domain_validate import (
    domain_context,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.errors import (
    JINJA2_REQUIRED,
    RenderError,
)

_COMPILED = {}


def render_domain(spec: dict) -> str:
    """The domain XML for ``spec``; ``RenderError`` names the spec key at fault, or says jinja2 is missing."""
    context = domain_context(spec, VMFLEET_NS, VMFLEET_NS_PREFIX)
    return _template().render(**context)


def _template():
    if "domain" not in _COMPILED:
        try:
            from jinja2 import StrictUndefined
            from jinja2.sandbox import SandboxedEnvironment
        except ImportError as error:
            raise RenderError(f"{JINJA2_REQUIRED} ({error})") from None
        environment = SandboxedEnvironment(
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        _COMPILED["domain"] = environment.from_string(DOMAIN_TEMPLATE)
    return _COMPILED["domain"]
