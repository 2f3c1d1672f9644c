"""Input that can be judged without the host is refused before it is contacted: an unreachable host (a
documentation address, RFC 5737) must not hide a typo behind its own error, and nothing is tried on it."""

from __future__ import annotations

import pytest

from playbook_runner import play

pytestmark = pytest.mark.integration

UNREACHABLE = "qemu+ssh://nobody@192.0.2.1/system"
CASES = [
    ("vm_compose", {"name": "vmft-x", "cores": 1, "memory": 512, "lock_timeout": -5}, "lock_timeout"),
    ("vm_compose", {"name": "vmft-x", "cores": 1, "memory": 512, "shutdown_timeout": 10**9}, "shutdown_timeout"),
    ("vm_host", {"default_storage_pool_path": "vms/pool"}, "default_storage_pool_path"),
    ("vm_host", {"reserved": {"cores": 10**12}}, "reserved.cores"),
    ("vm_host", {"reserved": {"memory": "1E"}}, "reserved.memory"),
    ("vm_host", {"cpu_over_commit_ratio": 11}, "cpu_over_commit_ratio"),
]


def test_bad_options_are_refused_naming_the_option_before_the_host_is_contacted(tmp_path):
    tasks = [
        {"name": f"case {index}", f"vmfleet.hosts.{module}": {"address": UNREACHABLE, **options}, "ignore_errors": True}
        for index, (module, options, _option) in enumerate(CASES)
    ]
    results, proc = play(tmp_path, tasks, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for index, (module, _options, option) in enumerate(CASES):
        result = results[f"case {index}"]
        assert result.get("failed"), (module, result)
        assert result.get("option") == option, (module, result)
        assert "kind" not in result and "Traceback" not in result.get("module_stderr", ""), (module, result)
