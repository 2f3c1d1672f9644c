# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift: what of a composed VM was removed or changed outside vmfleet.hosts, found from what discovery read.

A VM vmfleet.hosts composed carries what it was made from (the volumes it owns and the request). Discovery
already lists every pool's volumes, the host's networks and cores, so comparing the two costs no extra call to the
hypervisor. Each finding is ``{kind, what, detail, repairable}`` (the record's ``vms[].drift``) plus, for the
driver and vm_compose, ``unaccounted`` (bytes the pools no longer count) and ``repair`` (what recreating takes).

Pure: plain data in, plain data out; both drivers build the same input shape (see ``owned_volumes`` and
``detect``).

Storage (capacity rule 6): a volume deleted behind the collection's back frees its space in the pool's figures,
but the VM still claims it (it was granted, its definition still names it, and a repair recreates it). Counting
it as free would let another VM take the room and leave this one unrepairable, so ``charge`` adds what the pools
no longer count back to their ``used``: the pool is never promised twice.
"""

from __future__ import annotations

KINDS = {
    "volume_missing": "a volume the VM owns is gone from its storage pool",
    "volume_changed": "a volume the VM owns is smaller than it was composed (or last grown) with",
    "volume_detached": "a volume the VM owns is no longer attached to it",
    "volume_unreachable": "the storage pool of a volume the VM owns is not active",
    "network_missing": "the network a NIC of the VM is on no longer exists",
    "core_missing": "a core the VM is pinned to is not an online core of the host",
}
# the roles of the volumes a VM owns, as owned_volumes names them
BOOT, DATA, SEED, ROOT = "boot", "data", "seed", "root"
REPAIR_OPTION = "repair_drift"


def owned_volumes(metadata: dict) -> list:
    """The volumes a composed VM owns, each ``{pool, name, disk, size, role}``, from its stored metadata.

    ``metadata`` is the driver's ``{managed, volumes, request}``: ``volumes`` follow the request's disks in
    order; a volume beyond them is the cloud-init seed (libvirt); one marked ``root`` is an LXD instance's own
    root disk, which cannot go missing apart from the instance. ``size`` is the size the disk was composed or last
    grown with (the stored request), None where the request does not say: a request without disks (written by
    hand, or by an early version) says no sizes, and its volumes are then only checked for being there.
    """
    if not metadata.get("managed"):
        return []
    request = (metadata.get("request") or {}).get("request") or {}
    disks = request.get("disks") or []
    owned = []
    for index, volume in enumerate(metadata.get("volumes") or []):
        disk = disks[index] if index < len(disks) else {}
        if volume.get("root"):
            role = ROOT
        elif disks and index >= len(disks):
            role = SEED
        else:
            role = BOOT if index == 0 else DATA
        owned.append(
            {
                "pool": volume["pool"],
                "name": volume["name"],
                "disk": disk.get("name"),
                "size": disk.get("size"),
                "role": role,
            }
        )
    return owned


def _finding(kind, what, detail, repair=None, volume=None, claimed=None, unaccounted=0) -> dict:
    """A finding; ``claimed`` is the size a drifted volume still counts at, ``unaccounted`` what of it the pool
    figures no longer hold."""
    return {
        "kind": kind,
        "what": what,
        "detail": detail,
        "repairable": repair is not None,
        "repair": repair,
        "pool": volume["pool"] if volume else None,
        "volume": volume["name"] if volume else None,
        "disk": volume["disk"] if volume else None,
        "claimed": claimed,
        "unaccounted": unaccounted,
    }


def _label(volume) -> str:
    if volume["role"] == SEED:
        return "the cloud-init seed"
    return f"disk {volume['disk']!r}" if volume["disk"] else "a disk"


def _missing(volume, where, pools, attached, can_attach):
    """The finding of an owned volume that is not in its pool (or whose pool is gone)."""
    attached = (volume["pool"], volume["name"]) in attached
    size = volume["size"] or 0
    counted = f"; its {size} bytes still count against the pool" if size and volume["pool"] in pools else ""
    detail = f"volume {where} ({_label(volume)}) is gone{counted}"
    reason = None
    if volume["pool"] not in pools:
        detail = f"volume {where} ({_label(volume)}) is gone with its storage pool {volume['pool']!r}"
        reason = "vm_compose does not create storage pools"
    elif volume["role"] == BOOT:
        reason = "it is the boot disk: recreated empty it would hold no operating system"
    elif volume["role"] == SEED:
        reason = "the seed is rebuilt only when the VM is composed again (its settings are kept only as a digest)"
    elif not volume["size"]:
        reason = "the VM's stored request does not say its size"
    elif not attached and not can_attach:
        reason = "it is no longer attached to the VM either"
    if reason is not None:
        return _finding(
            "volume_missing",
            where,
            f"{detail}; it cannot be repaired: {reason}",
            volume=volume,
            claimed=volume["size"],
            unaccounted=size,
        )
    repair = {
        "pool": volume["pool"],
        "volume": volume["name"],
        "disk": volume["disk"],
        "size": volume["size"],
        "attach": not attached,
    }
    return _finding(
        "volume_missing",
        where,
        f"{detail}; vm_compose with {REPAIR_OPTION}: true recreates it empty ({volume['size']} bytes)",
        repair=repair,
        volume=volume,
        claimed=volume["size"],
        unaccounted=size,
    )


def _volumes(owned, present, attached, pools, can_attach):
    findings = []
    for volume in owned:
        if volume["role"] == ROOT:
            continue
        where = f"{volume['pool']}/{volume['name']}"
        key = (volume["pool"], volume["name"])
        if key in present:
            findings.extend(_present(volume, where, present[key], key in attached))
        elif pools.get(volume["pool"]) is False:
            findings.append(
                _finding(
                    "volume_unreachable",
                    where,
                    f"storage pool {volume['pool']!r} is not active, so volume {where} ({_label(volume)}) cannot be "
                    f"read or used; start the pool (virsh pool-start, or see the pool's state in LXD)",
                    volume=volume,
                )
            )
        else:
            findings.append(_missing(volume, where, pools, attached, can_attach))
    return findings


def _present(volume, where, capacity, attached):
    """The findings of an owned volume that is still in its pool: shrunk, or detached from the VM."""
    if volume["size"] and capacity < volume["size"]:
        return [
            _finding(
                "volume_changed",
                where,
                f"volume {where} ({_label(volume)}) is {capacity} bytes, smaller than the {volume['size']} bytes it "
                f"was composed or last grown with; vm_compose never shrinks, grows back or overwrites a volume changed "
                f"outside it: restore it, or remove the VM (state: absent) and compose it again",
                volume=volume,
                claimed=volume["size"],
                unaccounted=volume["size"] - capacity,
            )
        ]
    if not attached and volume["role"] != SEED:
        return [
            _finding(
                "volume_detached",
                where,
                f"volume {where} ({_label(volume)}) is no longer attached to the VM; attach it again (virsh "
                f"attach-disk --config, or lxc config device add) or remove the VM (state: absent)",
                volume=volume,
            )
        ]
    return []


def detect(
    owned: list,
    present: dict,
    attached: set,
    pools: dict,
    nics: list = (),
    networks=None,
    pinned: list = (),
    cores=None,
    can_attach: bool = False,
) -> list:
    """Every drift of one composed VM; an empty list when it is as vmfleet.hosts made it.

    ``owned`` is ``owned_volumes(...)``; ``present`` maps (pool, volume) to the capacity in bytes of every volume
    in the host's active pools; ``attached`` is the (pool, volume) pairs the VM's definition has as disks;
    ``pools`` maps each pool name to whether it is active. ``nics`` are the VM's NICs ``{name, network}``
    (``network`` set for a NIC on a managed network) and ``networks`` the names of the networks the host has
    (None: not known, not checked). ``pinned`` are the VM's pinned cores and ``cores`` the ids of the host's
    online cores (None: not checked). ``can_attach``: the driver attaches a recreated volume itself (LXD, where a
    volume can only be deleted once it is detached).
    """
    findings = _volumes(owned, present, attached, pools, can_attach)
    if networks is not None:
        for nic in nics:
            if nic.get("network") and nic["network"] not in networks:
                findings.append(
                    _finding(
                        "network_missing",
                        nic["network"],
                        f"NIC {nic['name']!r} is on network {nic['network']!r}, which no longer exists; define the "
                        f"network again, or remove the VM (state: absent) and compose it on another network",
                    )
                )
    if cores is not None:
        for core in sorted(set(pinned)):
            if core not in cores:
                findings.append(
                    _finding(
                        "core_missing",
                        str(core),
                        f"the VM is pinned to core {core}, which is not an online core of this host; bring the core "
                        f"online, or remove the VM (state: absent) and compose it again",
                    )
                )
    return findings


def public(findings: list) -> list:
    """Findings as the host record shows them (``vms[].drift``)."""
    return [{key: f[key] for key in ("kind", "what", "detail", "repairable")} for f in findings]


def claimed_sizes(findings: list) -> dict:
    """(pool, volume) -> the size a missing or shrunk volume is still counted at (its stored size), for the
    record's ``vms[].disks``, which would otherwise show what is left of it (0 for a missing one)."""
    return {(f["pool"], f["volume"]): f["claimed"] for f in findings if f["claimed"]}


def charge(storage_pools: list, findings: list) -> None:
    """Count in ``storage_pools`` (record entries, changed in place) the bytes drifted volumes still claim.

    A pool can then show more ``used`` than ``total``: it is overcommitted by what happened outside, and nothing
    more is placed on it until that is resolved.
    """
    owed = {}
    for finding in findings:
        if finding["unaccounted"]:
            owed[finding["pool"]] = owed.get(finding["pool"], 0) + finding["unaccounted"]
    for entry in storage_pools:
        extra = owed.get(entry["name"], 0)
        if extra and entry.get("active", True):
            entry["used"] += extra
            entry["available"] = max(0, entry["available"] - extra)


def warnings(record: dict) -> list:
    """One warning per drifted VM of a host record, naming the VM and each drift."""
    found = []
    for vm in record.get("vms") or []:
        drift = vm.get("drift") or []
        if drift:
            details = "; ".join(f"{d['kind']} {d['what']}: {d['detail']}" for d in drift)
            found.append(
                f"VM {vm['name']!r} on {record.get('name')} has drifted from what vmfleet.hosts composed: {details}"
            )
    return found


def refusal(vm: str, findings: list, repair_asked: bool) -> str | None:
    """Why vm_compose refuses a drifted VM, or None when it may go on (no drift, or all of it to be repaired)."""
    if not findings:
        return None
    blocking = [f for f in findings if not (repair_asked and f["repairable"])]
    if not blocking:
        return None
    listed = "; ".join(f"{f['kind']} {f['what']}: {f['detail']}" for f in blocking)
    if repair_asked:
        return f"VM {vm!r} has drift that {REPAIR_OPTION} cannot repair, so nothing was changed: {listed}"
    if all(f["repairable"] for f in blocking):
        hint = f"{REPAIR_OPTION}: true recreates the missing empty data volumes"
    elif any(f["repairable"] for f in blocking):
        hint = f"{REPAIR_OPTION}: true repairs only the missing empty data volumes, not the rest"
    else:
        hint = f"{REPAIR_OPTION} cannot repair this"
    return (
        f"VM {vm!r} has changed outside vmfleet.hosts, so vm_compose changed nothing (a drifted VM is never "
        f"reported unchanged): {listed} ({hint})"
    )


def repairs(findings: list) -> list:
    """What a repair does, in order: the ``repair`` of every repairable finding."""
    return [f["repair"] for f in findings if f["repairable"]]
