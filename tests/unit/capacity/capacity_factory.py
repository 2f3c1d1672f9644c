"""Builders for host records and requests used by the capacity tests (plain dicts, as modules pass them)."""

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_request

GIB = 1024**3
MIB = 1024**2
PAGE_2M = 2 * MIB
PAGE_1G = GIB


def host(name="h1", nodes=1, cpus=4, memory=8192, pages=None, cpu_ratio=1, memory_ratio=1, **extra):
    """A host with ``nodes`` identical NUMA nodes of ``cpus`` cpus and ``memory`` MiB; pages: {size: count} per node."""
    record = {
        "name": name,
        "cpu_over_commit_ratio": cpu_ratio,
        "memory_over_commit_ratio": memory_ratio,
        "numa": [
            {
                "node_id": n,
                "cpus": cpus,
                "memory": {
                    "total": memory,
                    "hugepages": [{"page_size": size, "total": count} for size, count in (pages or {}).items()],
                },
            }
            for n in range(nodes)
        ],
        "storage_pools": [{"name": "default", "type": "dir", "total": 1000 * GIB, "used": 0, "default": True}],
    }
    record.update(extra)
    return record


def request(name="vm", **options):
    return parse_request({"name": name, **options}, "requests[0]")
