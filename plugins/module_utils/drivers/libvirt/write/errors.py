# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error of the libvirt XML writers.

The specs rendered here are built by our own code from the capacity core's allocation, so a ``RenderError`` is a
bug report more than a user error: its message names the spec key (``interfaces[1].mac``) and what was wrong, which
beats handing libvirt XML it rejects with a message about an element the operator never wrote.
"""

from __future__ import annotations

# Here rather than beside the template: module_base matches it without importing the writers (their checks cost
# an unchanged run's import time and are never used by one).
JINJA2_REQUIRED = "the jinja2 Python library is required on the host running the module"


class RenderError(ValueError):
    """A spec that cannot become valid libvirt XML, or a host that cannot render it (no jinja2)."""
