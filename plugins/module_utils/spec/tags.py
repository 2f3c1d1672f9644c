# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError, item

# Tags are matched between VMs, hosts and storage pools (and written into MAAS-style strings such as
# "root:20(ssd,fast)"), so they cannot hold separators or spaces.
_TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")
_TAG_HELP = "a tag is letters, digits, '_', '.', ':' and '-', starting with a letter or digit"


def parse_tags(value: object, option: str) -> list[str]:
    """Tags from a list of strings or a comma-separated string; order kept, repeats dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        words = [(item(option, index), word.strip()) for index, word in enumerate(value.split(","))]
        words = [(where, word) for where, word in words if word]
    elif isinstance(value, (list, tuple)):
        words = []
        for index, word in enumerate(value):
            where = item(option, index)
            if not isinstance(word, str) or not word.strip():
                raise SpecError(where, word, f"is not a tag; {_TAG_HELP}")
            words.append((where, word.strip()))
    else:
        raise SpecError(option, value, "is not a list of tags; use a list of strings or a comma-separated string")
    tags: list[str] = []
    for where, word in words:
        if not _TAG.fullmatch(word):
            raise SpecError(where, word, f"is not a tag; {_TAG_HELP}")
        if word not in tags:
            tags.append(word)
    return tags
