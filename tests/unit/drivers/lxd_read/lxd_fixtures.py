# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The JSON fixtures of the LXD reader tests: captured from this project's LXD 5.0.2 (``lxc query``), or
hand-made where the test machine has no such hardware (``hand_*``: two NUMA nodes, SR-IOV)."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))
