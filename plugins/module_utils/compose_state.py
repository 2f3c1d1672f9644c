# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a composed VM was asked to be, as every driver stores it with the VM, and the checks shared by drivers.

The stored state (request and options) is what later runs compare with to decide whether anything changed; it is
driver-neutral, so it lives here rather than in one driver. Cloud-init settings are kept only as a digest (they
may hold secrets).
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError


def desired_state(request: dict, options: dict) -> dict:
    """What the VM was asked to be, stored with it to tell later runs what changed."""
    return {"request": request, "options": options}


def public_options(options: dict) -> dict:
    """Options as stored with the VM: cloud-init settings only by their digest (they may hold secrets)."""
    return {key: value for key, value in options.items() if key != "cloud_init_settings"}


def refuse_unless_default(params: dict, defaults: dict, host_kind: str) -> None:
    """Refuse options that mean nothing on this kind of host when they are set to anything but their default."""
    for key, default in defaults.items():
        value = params.get(key)
        if value not in (None, default) and not (isinstance(default, list) and not value):
            raise SpecError(key, value, f"only applies to libvirt hosts; leave it out on {host_kind}")


def image_keys(params: dict, wanted: tuple, shape: str):
    """The ``image`` option with exactly the keys ``wanted`` (this driver's image form), or None without boot: image."""
    image = params.get("image")
    given = {key: value for key, value in (image or {}).items() if value is not None}
    if params["boot"] != "image":
        if given:
            raise SpecError("image", image, "is only used with boot: image")
        return None
    if not given:
        raise SpecError("image", image, f"is required with boot: image: {shape}")
    wrong = sorted(set(given) - set(wanted))
    missing = [key for key in wanted if not given.get(key)]
    if wrong or missing:
        what = f"has {', '.join(wrong)}, which this host type does not use" if wrong else f"lacks {', '.join(missing)}"
        raise SpecError("image", image, f"{what}; on this host it is {shape}")
    return given
