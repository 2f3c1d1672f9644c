# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What vmfleet.hosts stores in the ``<metadata>`` of the domains it composes, read back.

The element lives in its own namespace (``VMFLEET_NS``) so libvirt keeps it and other tools' metadata is left
alone; the prefix is whatever the writer chose, because XML namespaces are matched by URI. A domain without it
was not composed by us (``managed: False``): its allocation still counts, but it is not ours to resize or remove.
"""

from __future__ import annotations

import json

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.errors import LibvirtXmlError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.read.xmlutil import text_of

VMFLEET_NS = "http://vmfleet.hosts/xmlns/vm/1.0"
VMFLEET_NS_PREFIX = "vmfleet"  # the prefix the renderer writes; readers match the URI only
_Q = "{" + VMFLEET_NS + "}"


def unmanaged() -> dict:
    """The metadata of a domain vmfleet.hosts did not compose."""
    return {"managed": False, "pool": None, "tags": [], "volumes": [], "request": None}


def parse_metadata(metadata_element, what: str = "domain") -> dict:
    """``managed``, ``pool``, ``tags``, ``volumes`` (``pool``/``name`` dicts) and ``request`` (dict or None).

    ``metadata_element`` is the domain's ``<metadata>`` element (or None). A request that is not a JSON object
    is an error rather than None: only our renderer writes it, so a broken one means the domain was edited by
    hand and should be looked at before vmfleet.hosts changes it.
    """
    if metadata_element is None:
        return unmanaged()
    ours = metadata_element.find(f"{_Q}vm")
    if ours is None:
        return unmanaged()
    volumes = []
    for volume in ours.findall(f"{_Q}volumes/{_Q}volume"):
        pool, name = volume.get("pool"), volume.get("name")
        if not pool or not name:
            raise LibvirtXmlError(f"{what}: vmfleet metadata has a volume without pool or name")
        volumes.append({"pool": pool, "name": name})
    return {
        "managed": True,
        "pool": text_of(ours, f"{_Q}pool"),
        "tags": [tag for tag in (text_of(element) for element in ours.findall(f"{_Q}tags/{_Q}tag")) if tag],
        "volumes": volumes,
        "request": _request(text_of(ours, f"{_Q}request"), what),
    }


def _request(text: str | None, what: str) -> dict | None:
    if text is None:
        return None
    try:
        request = json.loads(text)
    except ValueError as err:
        raise LibvirtXmlError(f"{what}: vmfleet metadata request is not JSON ({err})") from None
    if not isinstance(request, dict):
        raise LibvirtXmlError(f"{what}: vmfleet metadata request is {type(request).__name__}, not a JSON object")
    return request
