# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's own vmfleet storage pool: where the policy and the compose lock live.

The policy must be stored on the host and reachable through the libvirt connection alone, so two controllers on
qemu+ssh enforce the same one without SSH file access of their own. libvirt has no host-level metadata; a small
dir pool whose volumes hold JSON is read and written over the connection with volume download/upload streams,
and volume creation fails atomically when the name exists, which gives the lock. Discovery hides this pool
from the host record's storage pools.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import pool_making
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import error_code, libvirt

META_POOL = "vmfleet"
DEFAULT_META_PATH = "/var/lib/libvirt/vmfleet"
# Volumes are never shrunk, and JSON is padded with NULs up to the volume size, so a reader never sees a
# half-written file shorter than before; 64 KiB holds any realistic policy.
VOLUME_SIZE = 64 * 1024

_POOL_XML = """<pool type='dir'>
  <name>{name}</name>
  <target><path>{path}</path><permissions><mode>0700</mode></permissions></target>
</pool>"""
_VOLUME_XML = """<volume>
  <name>{name}</name>
  <capacity unit='bytes'>{size}</capacity>
  <allocation unit='bytes'>0</allocation>
  <target><format type='raw'/><permissions><mode>0600</mode></permissions></target>
</volume>"""


def _hypervisor_error(what: str, error) -> DriverError:
    return DriverError("hypervisor", f"{what}: {error.get_error_message() or error}")


def find(conn):
    """The meta pool, started if it exists but is inactive; None when the host was never made a VM host."""
    try:
        pool = pool_making.lookup(conn, META_POOL)
    except libvirt.libvirtError as error:
        raise _hypervisor_error(f"cannot look up storage pool {META_POOL!r}", error) from None
    if pool is not None:
        try:
            pool_making.start(pool)
        except libvirt.libvirtError as error:
            raise _hypervisor_error(f"cannot start storage pool {META_POOL!r}", error) from None
    return pool


def ensure(conn, path: str = DEFAULT_META_PATH):
    """The meta pool, defined, built, started and autostarted if it was missing (also when another job on this
    libvirtd is making it at the same moment: see pool_making)."""
    try:
        return pool_making.make_dir_pool(conn, META_POOL, _POOL_XML.format(name=META_POOL, path=path))
    except libvirt.libvirtError as error:
        raise _hypervisor_error(f"cannot create storage pool {META_POOL!r} at {path}", error) from None


def remove(conn) -> bool:
    """Delete the meta pool with its volumes and directory; False when there was none."""
    pool = find(conn)
    if pool is None:
        return False
    try:
        for vol in pool.listAllVolumes(0):
            vol.delete(0)
        pool.destroy()
        pool.delete(0)
        pool.undefine()
    except libvirt.libvirtError as error:
        raise _hypervisor_error(f"cannot remove storage pool {META_POOL!r}", error) from None
    return True


def read(conn, pool, name: str):
    """A volume's content with the NUL padding stripped, or None when the volume does not exist."""
    try:
        vol = pool.storageVolLookupByName(name)
    except libvirt.libvirtError as error:
        if error_code(error) == libvirt.VIR_ERR_NO_STORAGE_VOL:
            return None
        raise _hypervisor_error(f"cannot look up volume {name!r} in pool {META_POOL!r}", error) from None
    chunks = []
    try:
        stream = conn.newStream(0)
        vol.download(stream, 0, 0, 0)
        stream.recvAll(lambda _stream, data, buffer: buffer.append(data) or len(data), chunks)
        stream.finish()
    except libvirt.libvirtError as error:
        if error_code(error) == libvirt.VIR_ERR_NO_STORAGE_VOL:
            return None  # deleted while we read it (a lock being released)
        raise _hypervisor_error(f"cannot read volume {name!r} of pool {META_POOL!r}", error) from None
    return b"".join(chunks).rstrip(b"\0")


def create(conn, pool, name: str):
    """Create an empty volume; None when the name is taken (the atomic step the lock relies on)."""
    try:
        return pool.createXML(_VOLUME_XML.format(name=name, size=VOLUME_SIZE), 0)
    except libvirt.libvirtError as error:
        if error_code(error) == libvirt.VIR_ERR_STORAGE_VOL_EXIST:
            return None
        raise _hypervisor_error(f"cannot create volume {name!r} in pool {META_POOL!r}", error) from None


def write(conn, pool, name: str, data: bytes) -> None:
    """Write ``data`` (padded with NULs) into a volume, creating it if needed."""
    if len(data) > VOLUME_SIZE:
        raise DriverError("hypervisor", f"{name} would be {len(data)} bytes, more than the {VOLUME_SIZE} allowed")
    try:
        vol = pool.storageVolLookupByName(name)
    except libvirt.libvirtError:
        vol = create(conn, pool, name) or pool.storageVolLookupByName(name)
    upload(conn, vol, name, data)


def send_bytes(conn, vol, data: bytes) -> None:
    """Write ``data`` at the start of a volume through the connection (raises libvirtError)."""
    stream = conn.newStream(0)
    vol.upload(stream, 0, len(data), 0)
    sent = 0
    while sent < len(data):
        sent += stream.send(data[sent:])
    stream.finish()


def upload(conn, vol, name: str, data: bytes) -> None:
    try:
        send_bytes(conn, vol, data + b"\0" * (VOLUME_SIZE - len(data)))
    except libvirt.libvirtError as error:
        raise _hypervisor_error(f"cannot write volume {name!r} of pool {META_POOL!r}", error) from None


def delete(pool, name: str) -> None:
    try:
        pool.storageVolLookupByName(name).delete(0)
    except libvirt.libvirtError as error:
        if error_code(error) != libvirt.VIR_ERR_NO_STORAGE_VOL:
            raise _hypervisor_error(f"cannot delete volume {name!r} of pool {META_POOL!r}", error) from None


def names(pool) -> list:
    """The names of the pool's volumes."""
    try:
        return [vol.name() for vol in pool.listAllVolumes(0)]
    except libvirt.libvirtError as error:
        raise _hypervisor_error(f"cannot list the volumes of pool {META_POOL!r}", error) from None
