# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of a domain spec before it is rendered, and the context the template gets.

The driver builds the spec from the capacity core's allocation, so nothing here is user input; but an error that
names ``interfaces[1].mac`` is worth more than XML that libvirt rejects at define time (or worse, accepts and
misreads). Beyond types, the checks are the rules libvirt itself enforces on define, so the driver learns of a
bad spec before it has created any volume: guest NUMA cells cover every vCPU once and add up to the memory,
``memnode`` cells exist, a hugepage ``nodeset`` names guest cells, MACs are unicast, ``host-passthrough`` has KVM.
"""

from __future__ import annotations

import json
import re

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.errors import RenderError

SPEC_KEYS = (
    "name",
    "uuid",
    "domain_type",
    "emulator",
    "arch",
    "machine",
    "cpu_mode",
    "vcpus",
    "vcpupin",
    "emulatorpin",
    "numatune",
    "guest_numa",
    "memnodes",
    "memory_mib",
    "max_memory_mib",
    "hugepages",
    "boot",
    "disks",
    "interfaces",
    "metadata",
    "console",
)
# Optional keys, absent from older specs. cpu_disabled_features: CPU flags to mask from host-passthrough, e.g.
# "arch-capabilities", whose MSR nested KVM on some AMD hosts refuses to set (QEMU then aborts at start).
OPTIONAL_KEYS = {"cpu_disabled_features": ()}
DOMAIN_TYPES = ("kvm", "qemu")
CPU_MODES = ("host-passthrough",)
NUMA_MODES = ("strict", "preferred", "interleave", "restrictive")
BOOT_DEVICES = ("network", "hd", "cdrom")
DISK_DEVICES = ("disk", "cdrom")
DISK_FORMATS = ("qcow2", "raw")
# A CD-ROM cannot sit on virtio-blk. SATA works on both x86 machine types: q35 has an AHCI controller built in and
# on pc (i440fx) libvirt adds an ich9-ahci controller by itself; SCSI would need a SCSI controller model chosen.
DEFAULT_BUS = {"disk": "virtio", "cdrom": "sata"}
DISK_BUSES = {"disk": ("virtio", "sata", "scsi"), "cdrom": ("sata", "scsi")}
NIC_TYPES = ("network", "bridge", "direct", "hostdev")
NIC_MODELS = ("virtio",)
MACVLAN_MODES = ("bridge", "vepa", "private", "passthrough")

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_CPUSET = re.compile(r"[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*")
_MAC = re.compile(r"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")
_PCI = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$")
_DISK_TARGET = re.compile(r"^(vd|sd|hd)[a-z]{1,3}$")
_IFNAME_BAD = re.compile(r"[\s/:]")
# Characters XML 1.0 cannot hold at all (tab and newlines could be, but no name or tag should carry them).
_NOT_XML = re.compile(r"[\x00-\x1f\ud800-\udfff\ufffe\uffff]")


def domain_context(spec: object, ns: str, ns_prefix: str) -> dict:
    """The template context for ``spec``, or a ``RenderError`` naming the first bad key."""
    if not isinstance(spec, dict):
        raise RenderError(f"spec: expected a dict, got {type(spec).__name__}")
    missing = [key for key in SPEC_KEYS if key not in spec]
    if missing:
        raise RenderError(f"spec: missing key(s) {', '.join(missing)}")
    unknown = sorted(str(key) for key in spec if key not in SPEC_KEYS and key not in OPTIONAL_KEYS)
    if unknown:
        raise RenderError(f"spec: unknown key(s) {', '.join(unknown)}")

    name = _text(spec["name"], "name")
    if "/" in name:
        raise RenderError(f"name: {name!r} contains '/', which libvirt does not allow in domain names")
    domain_type = _choice(spec["domain_type"], "domain_type", DOMAIN_TYPES)
    cpu_mode = _optional(spec["cpu_mode"], "cpu_mode", lambda value, key: _choice(value, key, CPU_MODES))
    if cpu_mode == "host-passthrough" and domain_type != "kvm":
        raise RenderError("cpu_mode: 'host-passthrough' needs domain_type 'kvm' (QEMU's TCG has no host CPU to pass)")
    vcpus = _integer(spec["vcpus"], "vcpus", 1)
    memory_mib = _integer(spec["memory_mib"], "memory_mib", 1)
    max_memory_mib = _optional(spec["max_memory_mib"], "max_memory_mib", lambda value, key: _integer(value, key, 1))
    if max_memory_mib is not None and max_memory_mib < memory_mib:
        raise RenderError(f"max_memory_mib: {max_memory_mib} is less than memory_mib {memory_mib}")
    memory_element_mib = memory_mib if max_memory_mib is None else max_memory_mib

    disabled = _cpu_features(spec.get("cpu_disabled_features", OPTIONAL_KEYS["cpu_disabled_features"]), cpu_mode)
    guest_numa = _guest_numa(spec["guest_numa"], vcpus, memory_element_mib)
    cells = {cell["id"] for cell in guest_numa}
    numatune = _optional(spec["numatune"], "numatune", _numatune)
    return {
        "name": name,
        "uuid": _optional(spec["uuid"], "uuid", lambda value, key: _pattern(value, key, _UUID, "a UUID")),
        "domain_type": domain_type,
        "emulator": _optional(spec["emulator"], "emulator", _absolute_path),
        "arch": _pattern(spec["arch"], "arch", _TOKEN, "an architecture name such as x86_64"),
        "machine": _optional(
            spec["machine"], "machine", lambda value, key: _pattern(value, key, _TOKEN, "a machine type such as q35")
        ),
        "cpu_mode": cpu_mode,
        "cpu_disabled_features": disabled,
        "vcpus": vcpus,
        "vcpupin": _vcpupin(spec["vcpupin"], vcpus),
        "emulatorpin": _optional(spec["emulatorpin"], "emulatorpin", _cpuset),
        "numatune": numatune,
        "guest_numa": guest_numa,
        "memnodes": _memnodes(spec["memnodes"], cells, "strict" if numatune is None else numatune["mode"]),
        "memory_element_mib": memory_element_mib,
        "current_memory_mib": memory_mib,
        "hugepages": _hugepages(spec["hugepages"], memory_element_mib, cells),
        "boot": _boot(spec["boot"]),
        "disks": _disks(spec["disks"]),
        "interfaces": _interfaces(spec["interfaces"]),
        "metadata": _metadata(spec["metadata"]),
        "request_json": _request_json(spec["metadata"]),
        "console": _boolean(spec["console"], "console"),
        "ns": ns,
        "ns_prefix": ns_prefix,
    }


def cpuset_ids(text: str) -> set:
    """The CPU (or NUMA node) ids of a libvirt cpuset string such as ``0-1,4``."""
    ids = set()
    for part in text.split(","):
        first, _dash, last = part.partition("-")
        low, high = int(first), int(last or first)
        if high < low:
            raise ValueError(f"range {part!r} runs backwards")
        ids.update(range(low, high + 1))
    return ids


def _optional(value, key, check):
    return None if value is None else check(value, key)


def _text(value, key):
    if not isinstance(value, str) or not value:
        raise RenderError(f"{key}: expected a non-empty string, got {value!r}")
    if _NOT_XML.search(value):
        raise RenderError(f"{key}: {value!r} contains control characters, which XML 1.0 cannot carry")
    return value


def _pattern(value, key, pattern, what):
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise RenderError(f"{key}: expected {what}, got {value!r}")
    return value


def _choice(value, key, choices):
    if not isinstance(value, str) or value not in choices:
        raise RenderError(f"{key}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def _integer(value, key, minimum, maximum=None):
    if isinstance(value, bool) or not isinstance(value, int):
        raise RenderError(f"{key}: expected an integer, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"at least {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise RenderError(f"{key}: expected an integer {bound}, got {value}")
    return value


def _boolean(value, key):
    if not isinstance(value, bool):
        raise RenderError(f"{key}: expected true or false, got {value!r}")
    return value


def _list(value, key):
    if not isinstance(value, (list, tuple)):
        raise RenderError(f"{key}: expected a list, got {value!r}")
    return list(value)


def _mapping(value, key, required):
    if not isinstance(value, dict):
        raise RenderError(f"{key}: expected a dict, got {value!r}")
    missing = [name for name in required if name not in value]
    if missing:
        raise RenderError(f"{key}: missing key(s) {', '.join(missing)}")
    return value


def _cpuset(value, key):
    _pattern(value, key, _CPUSET, "a cpuset such as '3' or '0-1,4'")
    try:
        cpuset_ids(value)
    except ValueError as error:
        raise RenderError(f"{key}: {error}") from None
    return value


def _absolute_path(value, key):
    if not _text(value, key).startswith("/"):
        raise RenderError(f"{key}: expected an absolute path, got {value!r}")
    return value


def _cpu_features(value, cpu_mode):
    features = [
        _pattern(feature, f"cpu_disabled_features[{index}]", _TOKEN, "a CPU feature name such as arch-capabilities")
        for index, feature in enumerate(_list(value, "cpu_disabled_features"))
    ]
    if features and cpu_mode is None:
        raise RenderError("cpu_disabled_features: only applies with a cpu_mode (there is no host CPU to mask)")
    return features


def _vcpupin(value, vcpus):
    pins, seen = [], set()
    for index, pin in enumerate(_list(value, "vcpupin")):
        key = f"vcpupin[{index}]"
        if not isinstance(pin, (list, tuple)) or len(pin) != 2:
            raise RenderError(f"{key}: expected [vcpu, cpuset], got {pin!r}")
        vcpu = _integer(pin[0], f"{key}[0]", 0, vcpus - 1)
        if vcpu in seen:
            raise RenderError(f"{key}: vCPU {vcpu} is pinned twice")
        seen.add(vcpu)
        pins.append((vcpu, _cpuset(pin[1], f"{key}[1]")))
    return pins


def _numatune(value, key):
    _mapping(value, key, ("mode", "nodeset"))
    return {
        "mode": _choice(value["mode"], f"{key}.mode", NUMA_MODES),
        "nodeset": _cpuset(value["nodeset"], f"{key}.nodeset"),
    }


def _guest_numa(value, vcpus, memory_element_mib):
    cells, ids, cpus, total = [], set(), set(), 0
    for index, cell in enumerate(_list(value, "guest_numa")):
        key = f"guest_numa[{index}]"
        _mapping(cell, key, ("id", "cpus", "memory_mib"))
        cell_id = _integer(cell["id"], f"{key}.id", 0)
        if cell_id in ids:
            raise RenderError(f"{key}.id: cell {cell_id} appears twice")
        ids.add(cell_id)
        cell_cpus = cpuset_ids(_cpuset(cell["cpus"], f"{key}.cpus"))
        if cell_cpus & cpus or max(cell_cpus) >= vcpus:
            raise RenderError(f"{key}.cpus: {cell['cpus']!r} must name vCPUs below {vcpus} that no other cell names")
        cpus |= cell_cpus
        total += _integer(cell["memory_mib"], f"{key}.memory_mib", 1)
        cells.append({"id": cell_id, "cpus": cell["cpus"], "memory_mib": cell["memory_mib"]})
    if cells and ids != set(range(len(cells))):
        raise RenderError(f"guest_numa: cell ids must be 0..{len(cells) - 1}, got {sorted(ids)}")
    if cells and cpus != set(range(vcpus)):
        raise RenderError(f"guest_numa: the cells must hold every vCPU 0..{vcpus - 1} once, got {sorted(cpus)}")
    if cells and total != memory_element_mib:
        raise RenderError(
            f"guest_numa: the cells hold {total} MiB but the domain has {memory_element_mib} MiB "
            "(max_memory_mib when given, else memory_mib); libvirt takes the memory from the cells"
        )
    return cells


def _memnodes(value, cells, default_mode):
    memnodes, seen = [], set()
    for index, memnode in enumerate(_list(value, "memnodes")):
        key = f"memnodes[{index}]"
        _mapping(memnode, key, ("cellid", "nodeset"))
        cellid = _integer(memnode["cellid"], f"{key}.cellid", 0)
        if cellid not in cells or cellid in seen:
            raise RenderError(f"{key}.cellid: {cellid} is not a guest_numa cell or is bound twice")
        seen.add(cellid)
        mode = memnode.get("mode")
        memnodes.append(
            {
                "cellid": cellid,
                "mode": default_mode if mode is None else _choice(mode, f"{key}.mode", NUMA_MODES),
                "nodeset": _cpuset(memnode["nodeset"], f"{key}.nodeset"),
            }
        )
    return memnodes


def _hugepages(value, memory_element_mib, cells):
    """The page size, and ``nodeset`` only when guest cells exist.

    libvirt reads a page ``nodeset`` as *guest* NUMA cells: on a domain without ``<numa>`` it drops '0' and refuses
    anything else ("hugepages: node 1 not found"), even when the number is the right *host* node. Which host node
    the pages come from is ``numatune``'s job, so on a single-node VM the nodeset is left out (as libvirt's own
    dumpxml would show it); with guest cells it must name existing cells.
    """
    if value is None:
        return None
    _mapping(value, "hugepages", ("page_size_kib",))
    size = _integer(value["page_size_kib"], "hugepages.page_size_kib", 4)
    if (memory_element_mib * 1024) % size:
        raise RenderError(
            f"hugepages.page_size_kib: {memory_element_mib} MiB is not a whole number of {size} KiB pages"
        )
    nodeset = value.get("nodeset")
    if nodeset is None or not cells:
        return {"page_size_kib": size, "nodeset": None}
    if not cpuset_ids(_cpuset(nodeset, "hugepages.nodeset")) <= cells:
        raise RenderError(f"hugepages.nodeset: {nodeset!r} names guest NUMA cells that do not exist {sorted(cells)}")
    return {"page_size_kib": size, "nodeset": nodeset}


def _boot(value):
    boot = [_choice(dev, f"boot[{index}]", BOOT_DEVICES) for index, dev in enumerate(_list(value, "boot"))]
    if not boot or len(set(boot)) != len(boot):
        raise RenderError(f"boot: expected a non-empty list of distinct devices, got {boot!r}")
    return boot


def _disks(value):
    disks, targets = [], set()
    for index, disk in enumerate(_list(value, "disks")):
        key = f"disks[{index}]"
        _mapping(disk, key, ("pool", "volume", "target", "bus", "format", "device", "readonly"))
        device = _choice(disk["device"], f"{key}.device", DISK_DEVICES)
        bus = DEFAULT_BUS[device] if disk["bus"] is None else _choice(disk["bus"], f"{key}.bus", DISK_BUSES[device])
        target = _pattern(disk["target"], f"{key}.target", _DISK_TARGET, "a device name such as vda or sda")
        if target in targets:
            raise RenderError(f"{key}.target: {target!r} is used by another disk")
        targets.add(target)
        disks.append(
            {
                "pool": _text(disk["pool"], f"{key}.pool"),
                "volume": _text(disk["volume"], f"{key}.volume"),
                "target": target,
                "bus": bus,
                "format": _choice(disk["format"], f"{key}.format", DISK_FORMATS),
                "device": device,
                "readonly": _boolean(disk["readonly"], f"{key}.readonly"),
            }
        )
    return disks


def _interfaces(value):
    return [_interface(nic, f"interfaces[{index}]") for index, nic in enumerate(_list(value, "interfaces"))]


def _interface(nic, key):
    _mapping(nic, key, ("type", "source", "mac"))
    nic_type = _choice(nic["type"], f"{key}.type", NIC_TYPES)
    source = _text(nic["source"], f"{key}.source")
    pci = None
    if nic_type == "hostdev":
        match = _PCI.fullmatch(source)
        if not match or int(match.group(3), 16) > 0x1F:
            raise RenderError(f"{key}.source: expected a PCI address such as 0000:03:10.2, got {source!r}")
        pci = dict(zip(("domain", "bus", "slot", "function"), (part.lower() for part in match.groups())))
    elif nic_type in ("bridge", "direct") and (len(source) > 15 or _IFNAME_BAD.search(source)):
        raise RenderError(f"{key}.source: {source!r} is not a Linux interface name")
    macvlan_mode = nic.get("macvlan_mode")
    if macvlan_mode is not None:
        if nic_type != "direct":
            raise RenderError(f"{key}.macvlan_mode: only applies to type direct (this NIC is {nic_type})")
        _choice(macvlan_mode, f"{key}.macvlan_mode", MACVLAN_MODES)
    model = nic.get("model")
    vlan = nic.get("vlan")
    return {
        "type": nic_type,
        "source": source,
        "pci": pci,
        "mac": _mac(nic["mac"], f"{key}.mac"),
        # hostdev hands the guest the VF itself: there is no emulated model to name.
        "model": None if model is None or nic_type == "hostdev" else _choice(model, f"{key}.model", NIC_MODELS),
        "vlan": None if vlan is None else _integer(vlan, f"{key}.vlan", 1, 4094),
        "macvlan_mode": macvlan_mode,
    }


def _mac(value, key):
    _pattern(value, key, _MAC, "a MAC address such as 52:54:00:12:34:56")
    if int(value[:2], 16) & 1:
        raise RenderError(f"{key}: {value} is a multicast address; a NIC needs a unicast one")
    return value.lower()


def _metadata(value):
    _mapping(value, "metadata", ("pool", "tags", "volumes", "request"))
    volumes = []
    for index, volume in enumerate(_list(value["volumes"], "metadata.volumes")):
        key = f"metadata.volumes[{index}]"
        _mapping(volume, key, ("pool", "name"))
        volumes.append({"pool": _text(volume["pool"], f"{key}.pool"), "name": _text(volume["name"], f"{key}.name")})
    return {
        "pool": _optional(value["pool"], "metadata.pool", _text),
        "tags": [
            _text(tag, f"metadata.tags[{index}]") for index, tag in enumerate(_list(value["tags"], "metadata.tags"))
        ],
        "volumes": volumes,
    }


def _request_json(metadata):
    if not isinstance(metadata["request"], dict):
        raise RenderError(f"metadata.request: expected a dict, got {metadata['request']!r}")
    try:
        return json.dumps(metadata["request"], sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise RenderError(f"metadata.request: not JSON-serialisable ({error})") from None
