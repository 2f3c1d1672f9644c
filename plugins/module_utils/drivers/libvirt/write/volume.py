# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The libvirt storage volume XML of a VM disk, and the volume format each pool type takes.

Built with ElementTree (no template needed for four elements) so names are escaped like everywhere else.

What libvirt does with ``<target><format type=...>`` depends on the pool type (``src/conf/storage_conf.c``, the
``volOptions`` of each pool type):

- ``dir``, ``fs``, ``netfs`` (``nfs`` is netfs' source format, accepted here as an alias): file images, any qemu-img
  format; we use ``qcow2`` (thin, snapshots, and the domain's ``<driver type='qcow2'/>``).
- ``rbd``, ``gluster``, ``vstorage``: parse a file format, but the RBD backend creates only ``raw`` images, so ``raw``.
- ``logical``, ``zfs``, ``iscsi``, ``iscsi-direct``, ``scsi``, ``mpath``, ``sheepdog``: no volume format at all, the
  element is ignored; ``None`` omits it. (iscsi, scsi and mpath pools cannot create volumes in the first place.)
- ``disk``: the "format" is a partition type (``none``, ``linux``...) and libvirt's default ``none`` is right;
  ``raw`` would be refused as an unknown format, so ``None``.

Whatever the volume format, the disk the domain sees is ``disk_format_for(pool_type)``: ``qcow2`` for file pools and
``raw`` for block/network devices.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.errors import RenderError

FILE_POOL_TYPES = ("dir", "fs", "netfs", "nfs")
RAW_POOL_TYPES = ("rbd", "gluster", "vstorage")
UNFORMATTED_POOL_TYPES = ("logical", "disk", "zfs", "iscsi", "iscsi-direct", "scsi", "mpath", "sheepdog")
VOLUME_FORMATS = ("qcow2", "raw")


def volume_format_for(pool_type: str) -> str | None:
    """The ``<format type>`` of a new volume in a pool of ``pool_type``; None when libvirt takes none."""
    if pool_type in FILE_POOL_TYPES:
        return "qcow2"
    if pool_type in RAW_POOL_TYPES:
        return "raw"
    if pool_type in UNFORMATTED_POOL_TYPES:
        return None
    raise RenderError(f"pool type {pool_type!r} is not a libvirt storage pool type this driver knows")


def disk_format_for(pool_type: str) -> str:
    """The domain disk's ``<driver type>`` for a volume of a pool of ``pool_type``: qcow2 or raw."""
    return "qcow2" if volume_format_for(pool_type) == "qcow2" else "raw"


def render_volume(name: str, capacity_bytes: int, fmt: str | None, allocation_bytes: int = 0) -> str:
    """The XML that ``virStorageVolCreateXML`` takes for a new volume."""
    if not isinstance(name, str) or not name or "/" in name:
        raise RenderError(f"volume name: expected a non-empty string without '/', got {name!r}")
    for key, value, minimum in (("capacity_bytes", capacity_bytes, 1), ("allocation_bytes", allocation_bytes, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise RenderError(f"{key}: expected an integer of at least {minimum}, got {value!r}")
    if allocation_bytes > capacity_bytes:
        raise RenderError(f"allocation_bytes: {allocation_bytes} exceeds capacity_bytes {capacity_bytes}")
    if fmt is not None and fmt not in VOLUME_FORMATS:
        raise RenderError(f"fmt: expected one of {', '.join(VOLUME_FORMATS)} or None, got {fmt!r}")
    volume = ET.Element("volume")
    ET.SubElement(volume, "name").text = name
    ET.SubElement(volume, "capacity", unit="bytes").text = str(capacity_bytes)
    ET.SubElement(volume, "allocation", unit="bytes").text = str(allocation_bytes)
    target = ET.SubElement(volume, "target")
    if fmt is not None:
        ET.SubElement(target, "format", type=fmt)
    return ET.tostring(volume, encoding="unicode")
