# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error of the libvirt XML readers.

A ``ValueError`` so callers that only care about "bad data" can catch it without importing this module; the
message names what was being read (``domain 'web-1': <memory unit='XB'> is not a known unit``), because the XML
came from a daemon the operator cannot see from the task output.
"""

from __future__ import annotations


class LibvirtXmlError(ValueError):
    """libvirt returned XML (or figures) that cannot be translated into the host record."""
