# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a request to LXD through pylxd raises when it fails, and nothing else: the driver catches exactly these.

LXD's refusals come as pylxd's ``LXDAPIException`` (``NotFound`` is one); the transport's failures as requests'
``RequestException``, which is an ``OSError`` (its JSONDecodeError for a body that is no JSON too), as are the
socket's own. Anything else escaping a call is a bug and is left to show as one.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.removal import LXDAPIException

LXD_ERRORS = (LXDAPIException, OSError)
