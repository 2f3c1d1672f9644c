# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vm_compose's options (less the connection), in one place: vm_compose takes them as its argument spec, and
vm_converge checks each VM of a host's list against the same spec, so a VM means the same in both."""

from __future__ import annotations

COMPOSE_OPTIONS = {
    "name": {"type": "str", "required": True},
    "state": {
        "type": "str",
        "choices": ["present", "started", "stopped", "restarted", "absent"],
        "default": "present",
    },
    "cores": {"type": "int"},
    "pinned_cores": {"type": "raw"},
    "memory": {"type": "str"},
    "hugepages_backed": {"type": "bool"},
    "hugepage_size": {"type": "str"},
    "numa_strict": {"type": "bool"},
    "disks": {"type": "list", "elements": "dict"},
    "storage": {"type": "str"},
    "interfaces": {"type": "raw"},
    "pool": {"type": "str"},
    "tags": {"type": "list", "elements": "str"},
    "constraints": {"type": "str"},
    "boot": {"type": "str", "choices": ["network", "image"], "default": "network"},
    "image": {
        "type": "dict",
        "options": {"pool": {"type": "str"}, "volume": {"type": "str"}, "alias": {"type": "str"}},
    },
    "instance_type": {"type": "str", "choices": ["virtual-machine", "container"]},
    "cloud_init": {
        "type": "dict",
        "options": {
            # user-data may carry passwords and tokens; host name and public keys are no secret
            "user_data": {"type": "raw", "no_log": True},
            "ssh_authorized_keys": {"type": "list", "elements": "str", "no_log": False},
            "hostname": {"type": "str"},
        },
    },
    "accelerator": {"type": "str", "choices": ["auto", "kvm", "tcg"], "default": "auto"},
    "cpu_disabled_features": {"type": "list", "elements": "str", "default": []},
    "allow_restart": {"type": "bool", "default": False},
    "repair_drift": {"type": "bool", "default": False},
    "shutdown_timeout": {"type": "int", "default": 120},
    "lock_timeout": {"type": "int", "default": 300},
    "wait_for_address": {"type": "bool", "default": False},
    "address_timeout": {"type": "int", "default": 120},
}
COMPOSE_EXCLUSIVE = [("disks", "storage")]
