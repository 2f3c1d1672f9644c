# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Upper bounds for numbers no real host or fleet reaches: beyond them a number is a typo (or the wrong unit), and
some (a host record's cpu count, a request's count) would otherwise make the module build millions of objects.

Documented in docs/input_language.md (Bounds).
"""

from __future__ import annotations

# Linux on x86_64 runs at most 8192 CPUs (NR_CPUS with MAXSMP): no host has more cores, no VM more vCPUs.
MAX_CORES = 8192
# 52-bit physical addresses (5-level paging) reach 4 PiB: no host has more memory, no VM is given more.
MAX_MEMORY_MIB = 4 * 1024**3
# VMs one request of vm_plan may expand to (count); a fleet larger than this is planned in several requests.
MAX_COUNT = 1000
