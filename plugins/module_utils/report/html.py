# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched.

Jinja2 renders it with autoescaping on, because VM names, tags and notes are user input; the page's
Content-Security-Policy forbids every fetch, so even a name that slipped through could load nothing. Bars are
computed here (geometry only: the figures are the facts'), each with its text in ``aria-label`` and ``<title>``.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.report import formats as fmt
from ansible_collections.vmfleet.hosts.plugins.module_utils.report.page_template import PAGE

try:
    import jinja2
except ImportError:  # pragma: no cover - the controller always has Jinja2 (ansible-core requires it)
    jinja2 = None

PALETTE = 8  # VM colours in the core grids; the legend names each VM, so colour is never the only cue


def bar_shape(used: int, allowed: int, physical: int, reserved: int = 0, unit: str = "count") -> dict:
    """Geometry (percent of the track) of a bar: used against allowed, the reserve after it, physical end marked."""
    scale = max(used, allowed + max(reserved, 0), physical, 1)

    def x(value):
        return round(100 * max(value, 0) / scale, 2)

    show = fmt.mib if unit == "MiB" else fmt.size if unit == "bytes" else str
    label = f"{show(used)} used of {show(allowed)} allowed"
    if physical != allowed:
        label += f"; the machine has {show(physical)}"
    if reserved > 0:
        label += f"; {show(reserved)} kept back by the reserve"
    if used > allowed:
        label += f"; {show(used - allowed)} past the policy"
    return {
        "used": x(min(used, allowed)),
        "over_x": x(allowed),
        "over": x(used) - x(allowed) if used > allowed else 0,
        "allowed": x(allowed),
        "reserved": x(reserved),
        "physical": x(physical),
        "show_physical": physical != allowed,
        "label": label,
        "level": "over" if used > allowed else "high" if allowed and used / allowed >= 0.9 else "ok",
    }


def _vm_colours(host: dict) -> dict:
    return {vm["name"]: i % PALETTE for i, vm in enumerate(host["vms"])}


def render(facts: dict) -> str:
    if jinja2 is None:  # pragma: no cover
        raise RuntimeError("the HTML report needs Jinja2 on the controller")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(bar=bar_shape, fmt=fmt, vm_colours=_vm_colours)
    return env.from_string(PAGE).render(r=facts)
