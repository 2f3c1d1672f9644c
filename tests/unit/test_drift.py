# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift detection (plugins/module_utils/drift.py): pure data in, findings out, as both drivers use it.

What real libvirtd and LXD do when a volume or network is removed behind the collection's back is tested in
tests/integration/test_libvirt_drift.py and test_lxd_drift.py; here every kind, every reason a repair is refused
and the storage accounting are checked on plain data.
"""

from __future__ import annotations

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils import drift

GB = 10**9


def metadata(disks=(("root", GB), ("data", 2 * GB)), seed=False, lxd=False, managed=True):
    volumes = [{"pool": "vms", "name": f"web-{name}"} for name, _size in disks]
    if lxd:
        volumes[0]["root"] = True
    if seed:
        volumes.append({"pool": "vms", "name": "web-seed"})
    request = {"request": {"name": "web", "disks": [{"name": n, "size": s, "pool": None} for n, s in disks]}}
    return {"managed": managed, "volumes": volumes, "request": request}


def everything_there(meta):
    present = {(v["pool"], v["name"]): 3 * GB for v in meta["volumes"]}
    return present, set(present), {"vms": True}


def detect(meta, present=None, attached=None, pools=None, **kwargs):
    default_present, default_attached, default_pools = everything_there(meta)
    return drift.detect(
        drift.owned_volumes(meta),
        default_present if present is None else present,
        default_attached if attached is None else attached,
        default_pools if pools is None else pools,
        **kwargs,
    )


def test_owned_volumes_follow_the_request_disks_then_the_seed():
    owned = drift.owned_volumes(metadata(seed=True))
    assert [(v["name"], v["disk"], v["size"], v["role"]) for v in owned] == [
        ("web-root", "root", GB, "boot"),
        ("web-data", "data", 2 * GB, "data"),
        ("web-seed", None, None, "seed"),
    ]
    lxd = drift.owned_volumes(metadata(lxd=True))
    assert [v["role"] for v in lxd] == ["root", "data"]
    assert drift.owned_volumes(metadata(managed=False)) == []  # not ours: nothing to compare with


def test_a_vm_as_composed_has_no_drift():
    meta = metadata(seed=True)
    nics = [{"name": "eth0", "network": "default"}]
    assert detect(meta, nics=nics, networks={"default"}, pinned=[1], cores={0, 1}) == []


def test_a_missing_data_volume_is_repairable_and_still_claims_its_size():
    meta = metadata()
    present, attached, pools = everything_there(meta)
    del present[("vms", "web-data")]
    (finding,) = detect(meta, present=present, attached=attached, pools=pools)
    assert finding["kind"] == "volume_missing" and finding["what"] == "vms/web-data"
    assert finding["repairable"] is True
    assert finding["repair"] == {"pool": "vms", "volume": "web-data", "disk": "data", "size": 2 * GB, "attach": False}
    assert finding["unaccounted"] == 2 * GB and finding["claimed"] == 2 * GB
    assert "repair_drift: true recreates it empty" in finding["detail"]
    assert drift.public([finding]) == [
        {"kind": "volume_missing", "what": "vms/web-data", "detail": finding["detail"], "repairable": True}
    ]


@pytest.mark.parametrize(
    "case, reason",
    [
        ("boot", "it is the boot disk"),
        ("seed", "the seed is rebuilt only when the VM is composed again"),
        ("pool gone", "vm_compose does not create storage pools"),
        ("detached too", "it is no longer attached to the VM either"),
        ("no size", "the VM's stored request does not say its size"),
    ],
)
def test_a_missing_volume_that_cannot_be_recreated_empty_says_why(case, reason):
    meta = metadata(seed=True)
    present, attached, pools = everything_there(meta)
    gone = {"boot": "web-root", "seed": "web-seed"}.get(case, "web-data")
    del present[("vms", gone)]
    if case == "pool gone":
        meta["volumes"][1]["pool"] = "gone"  # a pool discovery does not list at all
    if case == "detached too":
        attached.discard(("vms", gone))
    if case == "no size":
        meta["request"]["request"]["disks"][1]["size"] = None
    findings = [f for f in detect(meta, present=present, attached=attached, pools=pools) if f["what"].endswith(gone)]
    (finding,) = findings
    assert finding["kind"] == "volume_missing" and finding["repairable"] is False and finding["repair"] is None
    assert f"cannot be repaired: {reason}" in finding["detail"]


def test_lxd_recreates_and_attaches_a_volume_it_made_you_detach():
    meta = metadata(lxd=True)
    present, attached, pools = everything_there(meta)
    del present[("vms", "web-data")]
    attached.discard(("vms", "web-data"))  # LXD deletes only a volume no instance has as a device
    (finding,) = detect(meta, present=present, attached=attached, pools=pools, can_attach=True)
    assert finding["repairable"] is True and finding["repair"]["attach"] is True


def test_an_inactive_pool_makes_its_volumes_unreachable_not_missing():
    meta = metadata()
    (finding,) = detect(meta, present={}, pools={"vms": False})[1:]
    assert finding["kind"] == "volume_unreachable" and finding["what"] == "vms/web-data"
    assert finding["repairable"] is False and finding["unaccounted"] == 0  # an inactive pool counts nothing at all


def test_a_volume_an_inactive_pool_still_lists_is_not_drift():
    meta = metadata()
    present, attached, _pools = everything_there(meta)
    assert detect(meta, present=present, attached=attached, pools={"vms": False}) == []


def test_a_shrunk_volume_is_changed_and_claims_the_difference():
    meta = metadata()
    present, attached, pools = everything_there(meta)
    present[("vms", "web-data")] = GB
    (finding,) = detect(meta, present=present, attached=attached, pools=pools)
    assert finding["kind"] == "volume_changed" and not finding["repairable"]
    assert finding["unaccounted"] == GB and finding["claimed"] == 2 * GB
    assert f"is {GB} bytes, smaller than the {2 * GB} bytes" in finding["detail"]


def test_a_grown_volume_is_not_drift():
    # qcow2 rounds up, and a disk grown outside loses nothing: the pool counts it at its real size
    meta = metadata()
    present, attached, pools = everything_there(meta)
    present[("vms", "web-data")] = 5 * GB
    assert detect(meta, present=present, attached=attached, pools=pools) == []


def test_a_detached_volume_is_reported_but_not_reattached():
    meta = metadata(seed=True)
    present, attached, pools = everything_there(meta)
    attached -= {("vms", "web-data"), ("vms", "web-seed")}  # an ejected seed CD-ROM is no drift
    (finding,) = detect(meta, present=present, attached=attached, pools=pools)
    assert finding["kind"] == "volume_detached" and finding["what"] == "vms/web-data" and not finding["repairable"]


def test_a_gone_network_and_an_offline_core_are_found():
    meta = metadata()
    findings = detect(
        meta,
        nics=[{"name": "eth0", "network": "lab"}, {"name": "eth1", "network": None}, {"name": "eth2", "network": "ok"}],
        networks={"ok"},
        pinned=[3, 1, 3],
        cores={0, 1},
    )
    assert [(f["kind"], f["what"]) for f in findings] == [("network_missing", "lab"), ("core_missing", "3")]
    assert "NIC 'eth0' is on network 'lab'" in findings[0]["detail"]
    assert not any(f["repairable"] for f in findings)


def test_networks_and_cores_not_known_are_not_checked():
    meta = metadata()
    assert detect(meta, nics=[{"name": "eth0", "network": "lab"}], networks=None, pinned=[9], cores=None) == []


def test_charge_keeps_a_drifted_volume_counted_in_its_pool():
    meta = metadata()
    present, attached, pools = everything_there(meta)
    del present[("vms", "web-data")]
    findings = detect(meta, present=present, attached=attached, pools=pools)
    storage = [
        {"name": "vms", "total": 10 * GB, "used": 9 * GB, "available": GB, "active": True},
        {"name": "other", "total": 10 * GB, "used": 0, "available": 10 * GB, "active": True},
    ]
    drift.charge(storage, findings)
    assert storage[0]["used"] == 11 * GB and storage[0]["available"] == 0  # over its total: nothing more fits
    assert storage[1]["used"] == 0 and storage[1]["available"] == 10 * GB
    assert drift.claimed_sizes(findings) == {("vms", "web-data"): 2 * GB}


def test_warnings_name_the_vm_and_what_drifted():
    record = {
        "name": "kvm-01",
        "vms": [
            {"name": "ok", "drift": []},
            {"name": "web", "drift": [{"kind": "volume_missing", "what": "vms/web-data", "detail": "gone"}]},
            {"name": "legacy"},
        ],
    }
    assert drift.warnings(record) == [
        "VM 'web' on kvm-01 has drifted from what vmfleet.hosts composed: volume_missing vms/web-data: gone"
    ]


def test_refusal_without_repair_names_each_finding_and_the_way_out():
    meta = metadata()
    present, attached, pools = everything_there(meta)
    del present[("vms", "web-data")]
    findings = detect(meta, present=present, attached=attached, pools=pools)
    message = drift.refusal("web", findings, repair_asked=False)
    assert message.startswith("VM 'web' has changed outside vmfleet.hosts, so vm_compose changed nothing")
    assert "volume_missing vms/web-data" in message and "repair_drift: true recreates" in message
    assert drift.refusal("web", findings, repair_asked=True) is None
    assert drift.repairs(findings) == [findings[0]["repair"]]
    assert drift.refusal("web", [], repair_asked=False) is None


def test_refusal_with_repair_lists_only_what_it_cannot_repair():
    meta = metadata()
    present, attached, pools = everything_there(meta)
    del present[("vms", "web-data")]
    findings = detect(meta, present=present, attached=attached, pools=pools, nics=[{"name": "e", "network": "x"}])
    findings += detect(meta, networks=set(), nics=[{"name": "e", "network": "x"}])
    message = drift.refusal("web", findings, repair_asked=True)
    assert message.startswith("VM 'web' has drift that repair_drift cannot repair, so nothing was changed")
    assert "network_missing x" in message and "vms/web-data" not in message
    assert "repairs only the missing empty data volumes" in drift.refusal("web", findings, repair_asked=False)
