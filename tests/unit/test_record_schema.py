"""The host record is documented once (the host_record doc fragment); the core's output and the argument spec
must match that documentation key for key, at every level."""

import yaml

from ansible_collections.vmfleet.hosts.plugins.doc_fragments.host_record import ModuleDocFragment
from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.placement import plan
from ansible_collections.vmfleet.hosts.plugins.module_utils.record_spec import host_record_options
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_requests

MIB = 1024**2


def documented():
    return yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]["hosts"]["suboptions"]


def rich_record():
    return {
        "name": "kvm-01",
        "type": "libvirt",
        "numa": [
            {
                "node_id": n,
                "cpus": [{"id": n * 2 + i, "core": n * 2 + i} for i in range(2)],
                "memory": {"total": 4096, "hugepages": [{"page_size": 2 * MIB, "total": 512}]},
            }
            for n in range(2)
        ],
        "storage_pools": [{"name": "default", "type": "dir", "path": "/var/lib/x", "total": 10**11, "used": 0}],
        "default_storage_pool": "default",
        "interfaces": [
            {"name": "br0", "type": "bridge", "default": True, "subnets": ["10.0.0.0/24"], "spaces": ["a"]},
            {"name": "enp1", "type": "physical", "numa_node": 0, "sriov_max_vf": 2, "vlans": [4], "networks": []},
        ],
        "vms": [
            {
                "name": "old",
                "cores": 1,
                "memory": 512,
                "power_state": "running",
                "tags": ["x"],
                "drift": [{"kind": "volume_missing", "what": "default/old-data", "detail": "gone", "repairable": True}],
            }
        ],
    }


def output_record():
    requests = parse_requests(
        [
            {
                "name": "new",
                "cores": 1,
                "pinned_cores": "auto",
                "memory": 512,
                "hugepages_backed": True,
                "interfaces": "eth0:;eth1:mode=sriov",
            }
        ]
    )
    result = plan([rich_record()], requests)
    assert result["placements"], result["unplaced"]
    return result["hosts"][0], result["placements"][0]


def compare(value, doc, path, problems):
    """Every key of ``value`` is documented and every documented key is present, recursively."""
    if isinstance(value, list):
        for item in value[:1]:
            compare(item, doc, f"{path}[]", problems)
        return
    if not isinstance(value, dict) or not doc:
        return
    for key in sorted(set(value) - set(doc)):
        problems.append(f"{path}.{key} is returned but not documented")
    for key in sorted(set(doc) - set(value)):
        problems.append(f"{path}.{key} is documented but not returned")
    for key in set(value) & set(doc):
        compare(value[key], doc[key].get("suboptions"), f"{path}.{key}", problems)


def test_record_returned_by_the_core_matches_the_documented_schema():
    record, _placement = output_record()
    problems = []
    compare(record, documented(), "hosts[]", problems)
    assert not problems, "\n".join(problems)


def test_placements_have_the_documented_vm_allocation_shape():
    record, placement = output_record()
    problems = []
    compare(placement, documented()["vms"]["suboptions"], "placements[]", problems)
    assert not problems, "\n".join(problems)
    assert record["vms"][-1] == placement


def test_argument_spec_mirrors_the_documented_schema():
    def keys(tree, path, out):
        for key, spec in tree.items():
            out.add(f"{path}.{key}")
            sub = spec.get("suboptions") or spec.get("options")
            if sub:
                keys(sub, f"{path}.{key}", out)
        return out

    assert keys(host_record_options(), "hosts", set()) == keys(documented(), "hosts", set())


def test_drift_found_by_discovery_is_kept_through_the_core():
    record, placement = output_record()
    assert record["vms"][0]["drift"] == rich_record()["vms"][0]["drift"]
    assert placement["drift"] == []  # a placement is what the plan makes: nothing has drifted yet
