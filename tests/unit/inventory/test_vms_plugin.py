# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vmfleet.hosts.vms plugin through Ansible's own inventory machinery, on a fake VM host (no daemon)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from ansible_collections.vmfleet.hosts.plugins.plugin_utils import vm_inventory

HERE = Path(__file__).resolve().parent
COLLECTIONS = Path(vm_inventory.__file__).resolve().parents[5]


def run(tmp_path, config, name="fleet.vmfleet_vms.yml", parses=1) -> dict:
    source = tmp_path / name
    source.write_text(yaml.safe_dump({"plugin": "vmfleet.hosts.vms", **config}))
    env = dict(os.environ, PYTHONPATH=f"{HERE}{os.pathsep}{COLLECTIONS}")
    proc = subprocess.run(
        [sys.executable, str(HERE / "plugin_harness.py"), str(COLLECTIONS), str(source), str(parses)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_only_its_own_file_names(tmp_path):
    assert run(tmp_path, {}, "fleet.yml", parses=0)["verify"] is False
    assert run(tmp_path, {}, "fleet.libvirt.yml", parses=0)["verify"] is False
    assert run(tmp_path, {}, "b.vmfleet_vms.yaml", parses=0)["verify"] is True


def test_groups_vars_and_constructed_options(tmp_path):
    out = run(
        tmp_path,
        {
            "vm_hosts": [{"address": "qemu:///system", "name": "kvm-a"}],
            "compose": {"ansible_user": "'ops'"},
            "groups": {"big": "vmfleet_memory >= 8192"},
            "keyed_groups": [{"key": "vmfleet_power_state", "prefix": "power"}],
        },
    )
    [result] = out["runs"]
    web = result["hosts"]["web-1"]
    assert web["ansible_host"] == "192.168.122.5" and web["ansible_user"] == "ops"
    assert web["vmfleet_host"] == "kvm-a" and web["vmfleet_tags"] == ["frontend"]
    assert "ansible_host" not in result["hosts"]["db-1"]
    groups = result["groups"]
    assert groups["vmfleet_host_kvm_a"] == ["db-1", "web-1"]
    assert groups["vmfleet_tag_frontend"] == ["web-1"] and groups["vmfleet_running"] == ["web-1"]
    assert groups["vmfleet_virtual_machine"] == ["db-1", "web-1"] and groups["vmfleet_zone_az1"] == ["db-1", "web-1"]
    assert groups["big"] == ["db-1"] and groups["power_stopped"] == ["db-1"]


def test_top_level_connection_options_are_every_hosts_defaults(tmp_path):
    out = run(tmp_path, {"address": "qemu+ssh://root@kvm-02/system", "vm_hosts": [{}, {"name": "two"}]})
    assert out["opened"] == ["qemu+ssh://root@kvm-02/system"] * 2
    assert run(tmp_path, {"address": "qemu:///system"})["opened"] == ["qemu:///system"]  # no vm_hosts: one host


def test_a_bad_entry_fails_the_source_naming_it(tmp_path):
    out = run(tmp_path, {"vm_hosts": [{}, {"adress": "qemu:///system"}]})
    assert "vm_hosts[1].adress: is not a setting of a VM host" in out["error"]


def test_cache_serves_a_second_parse_without_asking_the_host(tmp_path):
    config = {
        "vm_hosts": [{"address": "qemu:///system"}],
        "cache": True,
        "cache_plugin": "ansible.builtin.jsonfile",
        "cache_connection": str(tmp_path / "cache"),
    }
    out = run(tmp_path, config, parses=2)
    assert out["opened"] == ["qemu:///system"]  # asked once; the second parse came from the cache
    assert out["runs"][1]["hosts"]["web-1"]["ansible_host"] == "192.168.122.5"
    assert out["runs"][0]["groups"] == out["runs"][1]["groups"]
    without = run(tmp_path, {**config, "cache": False}, parses=2)
    assert len(without["opened"]) == 2
