# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The libvirt-specific options of a vm_compose request (accelerator, CPU features, the image volume), validated.

The service asks the driver for these, so each hypervisor refuses what means nothing on it with the option named.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.compose_state import image_keys
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.cpu_features import parse_cpu_features
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.scalars import parse_text


def compose_options(params: dict) -> dict:
    kind = params.get("instance_type")
    if kind not in (None, "virtual-machine"):
        raise SpecError("instance_type", kind, "is an LXD instance type; a libvirt host runs virtual machines only")
    image = image_keys(params, ("pool", "volume"), "the {pool, volume} of the image to copy")
    return {
        "accelerator": params.get("accelerator") or "auto",
        "cpu_disabled_features": parse_cpu_features(params.get("cpu_disabled_features")),
        "image": {
            "pool": parse_text(image.get("pool"), "image.pool", "a storage pool name"),
            "volume": parse_text(image.get("volume"), "image.volume", "a volume name"),
        }
        if image
        else None,
    }
