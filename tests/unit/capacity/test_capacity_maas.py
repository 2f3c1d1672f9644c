"""The capacity rules behind MAAS's strings, with the cases of MAAS's compose tests (maasserver/forms/tests/
test_pods.py and the virsh/LXD drivers' pool choice, canonical/maas at 0d716782d579)."""

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.errors import CapacityError
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.fit import fit
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.host import parse_host

from capacity_factory import GIB, host, request


def refused(record, **options):
    with pytest.raises(CapacityError) as err:
        fit(parse_host(record), request("refused", **options))
    return err.value


def nics_of(record, interfaces):
    return fit(parse_host(record), request("vm", interfaces=interfaces))["interfaces"]


def sriov_vlan_host():
    """test_get_machine_with_interfaces_by_subnets_sriov_vlan: the boot NIC (SR-IOV) on 10.0.0.0/24, and a second
    SR-IOV NIC whose 192.168.100.0/24 is on a VLAN interface above it."""
    return host(
        interfaces=[
            {"name": "eno1", "type": "physical", "sriov_max_vf": 1, "subnets": ["10.0.0.0/24"], "default": True},
            {"name": "eno2", "type": "physical", "sriov_max_vf": 1, "vlans": [0]},
            {"name": "eno2.2", "type": "vlan", "vlans": [2], "subnets": ["192.168.100.0/24"], "members": ["eno2"]},
        ]
    )


def test_sriov_nic_reached_through_a_vlan_takes_a_vf_of_the_parent_tagged_with_the_vlan():
    eth0, eth1 = nics_of(
        sriov_vlan_host(), "eth0:subnet=10.0.0.0/24,mode=sriov;eth1:subnet=192.168.100.0/24,mode=sriov"
    )
    assert (eth0["host_interface"], eth0["vlan"], eth0["vf"]) == ("eno1", None, True)
    assert (eth1["host_interface"], eth1["vlan"], eth1["vf"]) == ("eno2", 2, True)
    assert eth1["subnet"] == "192.168.100.0/24"


def test_the_parents_vf_is_counted():
    record = sriov_vlan_host()
    record["interfaces"][1]["sriov_used_vf"] = 1
    err = refused(record, interfaces="eth1:subnet=192.168.100.0/24,mode=sriov")
    assert err.resource == "sriov" and "eno2 0 of 1" in str(err)


def test_a_vlan_without_an_sriov_parent_carries_no_sriov_nic():
    record = sriov_vlan_host()
    record["interfaces"][1]["sriov_max_vf"] = 0
    assert refused(record, interfaces="eth1:subnet=192.168.100.0/24,mode=sriov").resource == "network"
    # a macvlan NIC still sits on the VLAN interface itself
    (nic,) = nics_of(record, "eth1:subnet=192.168.100.0/24,mode=macvlan")
    assert (nic["host_interface"], nic["vlan"]) == ("eno2.2", None)


def test_a_vlan_asked_for_must_be_the_vlan_interfaces():
    assert refused(sriov_vlan_host(), interfaces="eth1:subnet=192.168.100.0/24,vlan=3,mode=sriov").resource == (
        "network"
    )
    (nic,) = nics_of(sriov_vlan_host(), "eth1:vid=2,mode=sriov")
    assert (nic["host_interface"], nic["vlan"]) == ("eno2", 2)


def space_host():
    return host(
        interfaces=[
            {"name": "br0", "type": "bridge", "default": True, "spaces": ["mgmt"], "vlans": [1]},
            {"name": "br1", "type": "bridge", "spaces": ["storage"], "vlans": [2], "subnets": ["10.2.0.0/24"]},
        ]
    )


def test_repeated_keys_are_any_of():
    # test_interfaces_filters_same_key_treated_as_OR_operation
    (nic,) = nics_of(space_host(), "eth0:space=dmz,space=storage")
    assert (nic["host_interface"], nic["space"]) == ("br1", "storage")
    (nic,) = nics_of(space_host(), "any:vid=7,vid=2")
    assert (nic["host_interface"], nic["vlan"]) == ("br1", 2)
    # different keys must all hold (test_interfaces_filters_different_key_treated_as_AND_operation)
    assert refused(space_host(), interfaces="none:space=mgmt,vid=2").resource == "network"


def test_not_keys_exclude():
    (nic,) = nics_of(space_host(), "eth0:not_space=mgmt")
    assert nic["host_interface"] == "br1"
    (nic,) = nics_of(space_host(), "eth0:not_vid=2")
    assert nic["host_interface"] == "br0"
    (nic,) = nics_of(space_host(), "eth0:not_subnet=10.2.0.0/16")
    assert nic["host_interface"] == "br0"
    err = refused(space_host(), interfaces="eth0:not_space=mgmt,not_space=storage")
    assert "not_space=mgmt|storage" in str(err)


def test_ip_mode_reaches_the_placement():
    (nic,) = nics_of(space_host(), "eth0:ip=10.2.0.9,mode=unconfigured")
    assert (nic["host_interface"], nic["ip"], nic["ip_mode"]) == ("br1", "10.2.0.9", "unconfigured")
    (nic,) = nics_of(space_host(), "eth0:space=mgmt")
    assert "ip_mode" not in nic


def with_vm_holding(address):
    record = space_host()
    record["vms"] = [{"name": "db-1", "cores": 1, "memory": 512, "interfaces": [{"name": "eth0", "ip": address}]}]
    return record


def test_an_ip_another_vm_of_the_host_holds_is_refused():
    # test_compose_with_interfaces_with_reserved_ip_fails (MAAS: StaticIPAddressUnavailable)
    err = refused(with_vm_holding("10.2.0.5"), interfaces="eth0:ip=10.2.0.5")
    assert err.resource == "network"
    assert "IP address 10.2.0.5 for NIC 'eth0' is already given to VM 'db-1' on this host" in str(err)


def test_a_free_ip_is_given():
    # test_compose_with_interfaces_with_unreserved_ip
    (nic,) = nics_of(with_vm_holding("10.2.0.5"), "eth0:ip=10.2.0.6")
    assert (nic["host_interface"], nic["ip"]) == ("br1", "10.2.0.6")


def test_an_ip_planned_earlier_on_the_host_is_refused():
    state = parse_host(space_host())
    state.commit(fit(state, request("a", interfaces="eth0:ip=10.2.0.7")))
    with pytest.raises(CapacityError, match="already given to VM 'a'"):
        fit(state, request("b", interfaces="eth0:ip=10.2.0.7"))


def pools_host():
    return host(
        storage_pools=[
            {"name": "default", "type": "dir", "total": 100 * GIB, "used": 0, "default": True},
            {"name": "ssd", "type": "dir", "total": 10 * GIB, "used": 0},
            {"name": "nvme", "type": "dir", "total": 50 * GIB, "used": 0},
        ]
    )


def test_the_first_named_pool_with_room_holds_the_disk():
    # virsh/LXD get_usable_pool: every pool a tag names is tried before giving up
    alloc = fit(parse_host(pools_host()), request("vm", storage="root:20(ssd,nvme)"))
    assert alloc["disks"][0]["pool"] == "nvme"
    alloc = fit(parse_host(pools_host()), request("vm", storage="root:5(ssd,nvme)"))
    assert alloc["disks"][0]["pool"] == "ssd"
    err = refused(pools_host(), storage="root:60(ssd,nvme)")
    assert err.resource == "storage" and "storage pool 'ssd'" in str(err)


def test_a_tag_that_names_no_pool_is_refused_with_maass_fallback_named():
    # MAAS's default storage "root:8(local)" went to the default pool when no pool was named local
    err = refused(pools_host(), storage="root:8(local)")
    assert err.resource == "storage"
    assert "MAAS put such a disk in the default pool, here a tag is a requirement" in str(err)
    alloc = fit(parse_host(pools_host()), request("vm", storage="root:8"))
    assert alloc["disks"][0]["pool"] == "default"
