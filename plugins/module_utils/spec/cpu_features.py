# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CPU feature names (vm_compose's cpu_disabled_features), checked against libvirt's own grammar.

The names end up in the domain XML as ``<feature policy='disable' name='...'/>``; anything libvirt's schema
(cputypes.rng, ``featureName``: ``[a-zA-Z0-9\\-_\\.]+``) would not take is refused here, with its index, before
the host is contacted, rather than failing (or worse, being spliced into the XML) later.
"""

from __future__ import annotations

import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError, item

_FEATURE_NAME = re.compile(r"[a-zA-Z0-9_.-]+")
# libvirt's cpu_map names are short (the longest is about 30 characters); more is a paste gone wrong
MAX_FEATURE_NAME = 64


def parse_cpu_features(value: object, option: str = "cpu_disabled_features") -> list:
    """The feature names, sorted (their order means nothing to libvirt); None or [] is none."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise SpecError(option, value, "is not a list of CPU feature names, e.g. [arch-capabilities]")
    names = []
    for index, name in enumerate(value):
        where = item(option, index)
        if not isinstance(name, str) or not _FEATURE_NAME.fullmatch(name):
            raise SpecError(
                where,
                name,
                "is not a CPU feature name; libvirt's names are letters, digits, '-', '_' and '.' "
                "(e.g. arch-capabilities; `virsh cpu-models x86_64` and /usr/share/libvirt/cpu_map list them)",
            )
        if len(name) > MAX_FEATURE_NAME:
            raise SpecError(where, name, f"is longer than any CPU feature name (at most {MAX_FEATURE_NAME} characters)")
        if name in names:
            raise SpecError(where, name, f"is listed twice (also {item(option, names.index(name))}); list it once")
        names.append(name)
    return sorted(names)
