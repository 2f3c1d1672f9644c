# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A NoCloud seed as an ISO 9660 image labelled ``cidata``, built in memory.

cloud-init finds the seed by its volume label and reads ``user-data`` and ``meta-data`` by those exact names,
which plain ISO 9660 cannot spell (lower case, a dash): Rock Ridge and Joliet carry them. The image is made in
Python (pycdlib) so it can be uploaded through the libvirt connection from wherever the module runs, with no
ISO tool needed on either side.
"""

from __future__ import annotations

import io

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError

try:
    import pycdlib

    PYCDLIB_IMPORT_ERROR = None
except ImportError as import_error:
    pycdlib = None
    PYCDLIB_IMPORT_ERROR = import_error


def build_iso(files: dict) -> bytes:
    if pycdlib is None:
        raise DriverError(
            "missing_binding",
            f"the pycdlib Python library is needed on the host running the module to build the cloud-init seed "
            f"(install python3-pycdlib or pycdlib): {PYCDLIB_IMPORT_ERROR}",
        )
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, joliet=3, rock_ridge="1.09", vol_ident="cidata")
    for index, (name, data) in enumerate(sorted(files.items())):
        # the plain ISO 9660 name is never read by cloud-init; it only has to be valid and unique
        iso.add_fp(io.BytesIO(data), len(data), f"/F{index}.;1", rr_name=name, joliet_path="/" + name)
    out = io.BytesIO()
    iso.write_fp(out)
    iso.close()
    return out.getvalue()
