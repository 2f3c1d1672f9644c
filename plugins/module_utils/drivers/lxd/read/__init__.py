# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure readers of LXD's REST documents (resources, storage pools, networks) into host record pieces."""

from __future__ import annotations
