# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Carrying out a compose plan on libvirt: create volumes and define the domain, or undo all of it.

MAAS leaked volumes when a later step failed; here every step that made something records it, and the first
error removes what was made (domain, volumes) before it is reported.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import error_code, libvirt
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.meta_pool import send_bytes
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.removal import remove_domain


def _message(error) -> str:
    getter = getattr(error, "get_error_message", None)
    return (getter() if getter else None) or str(error)


def _taken(name: str, vol: dict) -> DriverError:
    return DriverError(
        "hypervisor",
        f"volume {vol['pool']}/{vol['name']} already exists and is not VM {name!r}'s; remove or rename it, "
        f"vm_compose never overwrites a volume",
    )


def check_new_volumes(conn, plan: dict) -> None:
    """Refuse, before anything is recorded or made, a plan volume whose name is taken (see compose_records)."""
    name = plan["spec"]["name"]
    for vol in plan["volumes"]:
        try:
            conn.storagePoolLookupByName(vol["pool"]).storageVolLookupByName(vol["name"])
        except libvirt.libvirtError as error:
            if error_code(error) == libvirt.VIR_ERR_NO_STORAGE_VOL:
                continue
            raise DriverError("hypervisor", f"cannot compose VM {name!r}: {_message(error)}") from None
        raise _taken(name, vol)


def create(conn, plan: dict, reached=lambda point: None) -> None:
    """Create the plan's volumes and define its domain; on any failure, remove what was made and re-raise.

    ``reached`` is told each step done ("volume_made", "domain_defined"): the fault tests stop the job there.
    """
    made = []
    name = plan["spec"]["name"]
    try:
        for vol in plan["volumes"]:
            pool = conn.storagePoolLookupByName(vol["pool"])
            try:
                made_vol = _make_volume(conn, pool, vol)
            except libvirt.libvirtError as error:
                if error_code(error) == libvirt.VIR_ERR_STORAGE_VOL_EXIST:
                    raise _taken(name, vol) from None
                raise
            made.append({"pool": vol["pool"], "name": vol["name"]})
            _fill_volume(conn, made_vol, vol)
            reached("volume_made")
        conn.defineXML(plan["xml"])
        reached("domain_defined")
    except (libvirt.libvirtError, DriverError) as error:
        failure = error
        if not isinstance(error, DriverError):
            failure = DriverError("hypervisor", f"cannot compose VM {name!r}: {_message(error)}")
        try:
            remove_domain(conn, name, made)
        except DriverError as undo:
            # the rollback failed too (libvirtd went away): say both, and hand what is left to the caller
            raise DriverError(
                failure.kind, f"{failure.message}; removing what was made failed: {undo.message}", left=made
            ) from None
        raise failure from None


def _make_volume(conn, pool, vol):
    if vol.get("clone_from"):
        source = conn.storagePoolLookupByName(vol["clone_from"]["pool"])
        base = source.storageVolLookupByName(vol["clone_from"]["volume"])
        return pool.createXMLFrom(vol["xml"], base, 0)
    return pool.createXML(vol["xml"], 0)


def _fill_volume(conn, made_vol, vol) -> None:
    """Grow a clone to the asked size (libvirt clones keep the image's size); upload a seed's bytes."""
    if vol.get("clone_from") and made_vol.info()[1] < vol["size"]:
        made_vol.resize(vol["size"], 0)
    if vol.get("data"):
        send_bytes(conn, made_vol, vol["data"])


def volume_capacity(conn, pool: str, volume: str) -> int:
    """Capacity of an existing volume (an image to boot from), or a DriverError naming it."""
    try:
        return conn.storagePoolLookupByName(pool).storageVolLookupByName(volume).info()[1]
    except libvirt.libvirtError as error:
        raise DriverError("hypervisor", f"image: volume {pool}/{volume} is not there: {_message(error)}") from None


def redefine(conn, xml: str, name: str) -> None:
    try:
        conn.defineXML(xml)
    except libvirt.libvirtError as error:
        raise DriverError("hypervisor", f"cannot update the definition of VM {name!r}: {_message(error)}") from None


def lookup(conn, name: str):
    try:
        return conn.lookupByName(name)
    except libvirt.libvirtError as error:
        raise DriverError("hypervisor", f"cannot find VM {name!r}: {_message(error)}") from None


def live_resize(conn, name: str, cores: int, memory_mib: int) -> bool:
    """Apply cores and memory to a running VM where libvirt can; False when a restart is needed instead."""
    dom = lookup(conn, name)
    if not dom.isActive():
        return True
    try:
        if cores > dom.maxVcpus():
            return False
        if cores != dom.vcpusFlags(libvirt.VIR_DOMAIN_AFFECT_LIVE):
            dom.setVcpusFlags(cores, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        if memory_mib * 1024 > dom.maxMemory():
            return False
        dom.setMemoryFlags(memory_mib * 1024, libvirt.VIR_DOMAIN_AFFECT_LIVE)
    except libvirt.libvirtError:
        return False  # the guest or the hypervisor refused the hot change: it applies at the next start
    return True


def grow_volume(conn, name: str, pool: str, volume: str, size: int, target: str) -> None:
    """Grow a VM's volume; never shrinks.

    A running VM's image is locked by QEMU, so QEMU grows it (and the guest sees the new size at once);
    a stopped VM's volume is grown by libvirt.
    """
    try:
        dom = lookup(conn, name)
        if dom.isActive():
            dom.blockResize(target, size, libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES)
        else:
            conn.storagePoolLookupByName(pool).storageVolLookupByName(volume).resize(size, 0)
    except libvirt.libvirtError as error:
        raise DriverError("hypervisor", f"cannot grow volume {pool}/{volume}: {_message(error)}") from None


def power(conn, name: str, action: str, shutdown_timeout: float, clock) -> dict:
    """start, stop (ACPI shutdown, then power off after the timeout) or restart; reports what happened."""
    dom = lookup(conn, name)
    report = {"started": False, "stopped": False, "forced_off": False}
    try:
        if action in ("stop", "restart") and dom.isActive():
            dom.shutdown()
            deadline = clock.now() + shutdown_timeout
            while dom.isActive() and clock.now() < deadline:
                clock.sleep(0.5)
            if dom.isActive():
                dom.destroy()  # the guest ignored ACPI (no OS yet, or hung): power it off
                report["forced_off"] = True
            report["stopped"] = True
        if action in ("start", "restart") and not dom.isActive():
            dom.create()
            report["started"] = True
    except libvirt.libvirtError as error:
        hint = ""
        if "failed to set MSR" in _message(error):
            hint = "; this host's KVM refuses a CPU feature: set cpu_disabled_features: [arch-capabilities]"
        raise DriverError("hypervisor", f"cannot {action} VM {name!r}: {_message(error)}{hint}") from None
    return report


def is_running(conn, name: str) -> bool:
    return bool(lookup(conn, name).isActive())
