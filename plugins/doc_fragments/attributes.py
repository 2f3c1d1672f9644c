# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations


class ModuleDocFragment:
    """Attributes every vmfleet.hosts module states (the community.docker way).

    Use ``vmfleet.hosts.attributes`` for the descriptions, then set each attribute's ``support`` in the module
    (or take a ready-made block below).
    """

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying the VM host.
  diff_mode:
    description:
      - Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
      - This assumes that the VM hosts controlled or queried by the module have not changed in a relevant way.
"""

    # For modules that compute or read and never change anything (vm_plan, *_info).
    PURE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state; it runs the same way in check mode.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
  idempotent:
    support: full
    details:
      - This action does not modify state; the same input gives the same result.
"""

    ACTIONGROUP_VMHOST = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/vmfleet.hosts.vmhost) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - vmfleet.hosts.vmhost
"""
