"""vm_compose through ansible-playbook, side by side with its anchors in one run (`make bench`; prints, never fails).

What a converge pays for every VM is the unchanged re-run; what a new VM costs is the create. Both are timed per VM
inside one playbook (controller timestamps around a looped task, so Ansible's start-up is not counted), median of
three rounds, on the real libvirtd and LXD, next to:

- ``ansible.builtin.ping`` looped the same way: the floor of any module round trip;
- the anchors, doing less (no capacity accounting, no lock): community.libvirt's virt_volume + virt define for a
  libvirt create and ``virt state=shutdown`` for its unchanged run; community.general's lxd_container for LXD.

And with 1, 10 and 20 of our VMs on the host (20 vCPUs is all a 2-core host holds at ratio 10; 19 on LXD, whose
anchor instance takes one), to show whether the per-VM cost grows with what the host holds. The anchors come from
PyPI's ``ansible`` package (requirements/bench.txt), unpacked under .build/bench, never into the project's venv.
Needs root, the daemons and the LXD test image (the Makefile's bench target sees to them); it removes everything it
made.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml
from integration_lock import Locked

ROOT = Path(__file__).resolve().parents[1]
# run from the collection's copy (.build/ansible_collections/vmfleet/hosts, as make bench does) or the checkout
BUILD = ROOT.parents[2] if ROOT.parent.parent.name == "ansible_collections" else ROOT / ".build"
BENCH = BUILD / "bench"
PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")
ROUNDS = 3
LOOP = 10  # VMs per timed loop
SIZES = (1, 10, 20)
LIBVIRT_POOL = "vmfleet-bench"
LIBVIRT_POOL_PATH = "/var/lib/libvirt/vmfleet-bench"
LXD_PROJECT = "vmfleet-bench"
LXD_IMAGE = "vmfleet-test/debian12"
LXD_SOCKET = "unix:/var/lib/lxd/unix.socket"
PREFIX = "vmfb-"
ANCHOR_REF = PREFIX + "anchor"  # the LXD anchor's own instance for its unchanged runs


def prepare_anchors() -> dict:
    """community.general and community.libvirt (and lxml, which community.libvirt imports), unpacked for the bench."""
    wheels, site, collections = BENCH / "wheels", BENCH / "site", BENCH / "collections"
    if not (collections / "ansible_collections/community/libvirt").is_dir():
        pip = [sys.executable, "-m", "pip", "-q"]
        subprocess.run([*pip, "download", "--no-deps", "--only-binary", ":all:", "-d", str(wheels),
                        "-r", str(ROOT / "requirements/bench.txt")], check=True)  # fmt: skip
        subprocess.run([*pip, "install", "--no-deps", "--target", str(site), *map(str, wheels.glob("lxml-*.whl"))],
                       check=True)  # fmt: skip
        with zipfile.ZipFile(next(wheels.glob("ansible-*.whl"))) as wheel:
            for name in wheel.namelist():
                if name.startswith(
                    ("ansible_collections/community/general/", "ansible_collections/community/libvirt/")
                ):
                    wheel.extract(name, collections)
    env = dict(os.environ)
    env["ANSIBLE_COLLECTIONS_PATH"] = f"{BUILD}:{collections}"
    env["PYTHONPATH"] = f"{BUILD}:{site}"
    env.update(ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_NOCOLOR="1")
    return env


def run(env: dict, tasks: list, module_defaults=None) -> dict:
    """Run tasks on localhost; returns the play's ``timings`` fact (task label -> list of seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "timings.json"
        play = [{
            "hosts": "localhost", "connection": "local", "gather_facts": False,
            "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}", "timings": {}},
            "module_defaults": module_defaults or {},
            "tasks": [*tasks, {"ansible.builtin.copy": {"content": "{{ timings | to_json }}", "dest": str(out)}}],
        }]  # fmt: skip
        (Path(tmp) / "play.yml").write_text(yaml.safe_dump(play, sort_keys=False))
        proc = subprocess.run([str(PLAYBOOK), "-i", "localhost,", str(Path(tmp) / "play.yml")], env=env,
                              capture_output=True, text=True, timeout=3600, check=False)  # fmt: skip
        if proc.returncode != 0:
            raise SystemExit(f"bench playbook failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}")
        return json.loads(out.read_text())


def timed(label: str, task: dict, items: list) -> list:
    """Tasks that time ``task`` looped over ``items`` and add the per-item seconds to timings[label]."""
    stamp = "{{ now(utc=true).timestamp() }}"
    return [
        {"ansible.builtin.set_fact": {"bench_t0": stamp}},
        {**task, "loop": items},
        {"ansible.builtin.set_fact": {"timings": _append(label, len(items))}},
    ]  # fmt: skip


def _append(label: str, count: int) -> str:
    """A template adding the seconds per item since bench_t0 to timings[label]."""
    elapsed = f"((now(utc=true).timestamp() - (bench_t0 | float)) / {count})"
    return f"{{{{ timings | combine({{'{label}': (timings['{label}'] | default([])) + [{elapsed}]}}) }}}}"


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


# ---- libvirt ----

LIBVIRT_DEFAULTS = {"vmfleet.hosts.vm_compose": {"cpu_disabled_features": ["arch-capabilities"]}}


def libvirt_vm(index: int) -> dict:
    return {"name": f"{PREFIX}{index:02d}", "cores": 1, "memory": 64, "storage": "root:0.01"}


def libvirt_anchor_create(name: str) -> list:
    volume = (f"<volume><name>{name}-root</name><capacity unit='bytes'>10000000</capacity>"
              "<target><format type='qcow2'/></target></volume>")  # fmt: skip
    domain = (f"<domain type='kvm'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
              "<os><type arch='x86_64'>hvm</type></os><devices><disk type='volume' device='disk'>"
              f"<source pool='{LIBVIRT_POOL}' volume='{name}-root'/><target dev='vda' bus='virtio'/></disk>"
              "</devices></domain>")  # fmt: skip
    return [
        {"community.libvirt.virt_volume": {"pool": LIBVIRT_POOL, "command": "create", "xml": volume}},
        {"community.libvirt.virt": {"command": "define", "xml": domain}},
    ]


def bench_libvirt(env: dict) -> list:
    host = {"default_storage_pool": LIBVIRT_POOL, "create_default_storage_pool": True,
            "default_storage_pool_path": LIBVIRT_POOL_PATH, "cpu_over_commit_ratio": 10}  # fmt: skip
    rows = []
    run(env, [{"vmfleet.hosts.vm_host": host}])
    try:
        have = 0
        for size in SIZES:
            new = [libvirt_vm(i) for i in range(have, size)]
            if size == SIZES[-1]:
                # the create is timed on the last VMs that fit; the anchor creates as many next to them
                keep = [libvirt_vm(i) for i in range(have, size - 5)]
                run(env, [{"vmfleet.hosts.vm_compose": "{{ item }}", "loop": keep}], LIBVIRT_DEFAULTS)
                have += len(keep)
                new = [libvirt_vm(i) for i in range(have, size)]
                names = [f"{PREFIX}a{i}" for i in range(len(new))]
                anchor = timed("libvirt create anchor", {"ansible.builtin.include_tasks": "anchor_create.yml"}, names)
                got = run_with_file(env, timed("libvirt create ours", {"vmfleet.hosts.vm_compose": "{{ item }}"}, new)
                                    + anchor, {"anchor_create.yml": libvirt_anchor_create("{{ item }}")},
                                    LIBVIRT_DEFAULTS)  # fmt: skip
                rows.append(("libvirt", "create", size, got["libvirt create ours"], got["libvirt create anchor"]))
                run(env, [{"community.libvirt.virt": {"name": "{{ item }}", "command": "undefine"}, "loop": names},
                          {"community.libvirt.virt_volume": {"pool": LIBVIRT_POOL, "name": "{{ item }}-root",
                                                             "state": "absent"}, "loop": names}])  # fmt: skip
            else:
                run(env, [{"vmfleet.hosts.vm_compose": "{{ item }}", "loop": new}], LIBVIRT_DEFAULTS)
            have = size
            items = [libvirt_vm(i % size) for i in range(LOOP)]
            names = [vm["name"] for vm in items]
            tasks = []
            for _round in range(ROUNDS):
                tasks += timed("ours", {"vmfleet.hosts.vm_compose": "{{ item }}"}, items)
                tasks += timed("anchor", {"community.libvirt.virt": {"name": "{{ item }}", "state": "shutdown"}}, names)
                tasks += timed("ping", {"ansible.builtin.ping": {}}, names)
            got = run(env, tasks, LIBVIRT_DEFAULTS)
            rows.append(("libvirt", "unchanged", size, got["ours"], got["anchor"], got["ping"]))
    finally:
        run(env, [{"vmfleet.hosts.vm_host": {"state": "absent", "remove_vms": True}}])
        subprocess.run(["virsh", "-q", "pool-destroy", LIBVIRT_POOL], capture_output=True, check=False)
        subprocess.run(["virsh", "-q", "pool-delete", LIBVIRT_POOL], capture_output=True, check=False)
        subprocess.run(["virsh", "-q", "pool-undefine", LIBVIRT_POOL], capture_output=True, check=False)
    return rows


def run_with_file(env: dict, tasks: list, files: dict, module_defaults=None) -> dict:
    """run(), with task files next to the playbook (include_tasks looks beside it)."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, content in files.items():
            (Path(tmp) / name).write_text(yaml.safe_dump(content, sort_keys=False))
        tasks = [dict(t, **{"ansible.builtin.include_tasks": str(Path(tmp) / t["ansible.builtin.include_tasks"])})
                 if "ansible.builtin.include_tasks" in t else t for t in tasks]  # fmt: skip
        return run(env, tasks, module_defaults)


# ---- LXD ----

LXD_CONNECTION = {"type": "lxd", "project": LXD_PROJECT}
LXD_DEFAULTS = {"vmfleet.hosts.vm_compose": LXD_CONNECTION, "vmfleet.hosts.vm_host": LXD_CONNECTION}


def lxd_vm(index: int) -> dict:
    return {"name": f"{PREFIX}{index:02d}", "cores": 1, "memory": 64, "storage": "root:1", "boot": "image",
            "image": {"alias": LXD_IMAGE}, "instance_type": "container"}  # fmt: skip


def lxd_anchor(name: str) -> dict:
    return {"name": name, "project": LXD_PROJECT, "url": LXD_SOCKET, "state": "stopped", "type": "container",
            "source": {"type": "image", "alias": LXD_IMAGE}, "config": {"limits.cpu": "1"},
            # the project has its own, empty default profile (as vm_host makes it): the root disk is given here
            "devices": {"root": {"type": "disk", "path": "/", "pool": "default"}}}  # fmt: skip


# every LXD project of one daemon shares its cores, and the anchor's own instance takes one vCPU: 19 of ours at most
LXD_SIZES = (1, 10, 19)


def bench_lxd(env: dict) -> list:
    host = {"create_project": True, "default_storage_pool": "default", "cpu_over_commit_ratio": 10,
            "networks": [{"name": "lxdbr0", "default": True}]}  # fmt: skip
    rows = []
    run(env, [{"vmfleet.hosts.vm_host": host}], LXD_DEFAULTS)
    try:
        have = 0
        for size in LXD_SIZES:
            if size == LXD_SIZES[-1]:
                keep = [lxd_vm(i) for i in range(have, size - 5)]
                run(env, [{"vmfleet.hosts.vm_compose": "{{ item }}", "loop": keep}], LXD_DEFAULTS)
                have += len(keep)
                new = [lxd_vm(i) for i in range(have, size)]
                names = [f"{PREFIX}a{i}" for i in range(len(new))]
                got = run(env, timed("ours", {"vmfleet.hosts.vm_compose": "{{ item }}"}, new)
                          + timed("anchor", {"community.general.lxd_container": lxd_anchor("{{ item }}")}, names),
                          LXD_DEFAULTS)  # fmt: skip
                rows.append(("LXD", "create", size, got["ours"], got["anchor"]))
                for name in names:
                    subprocess.run(["lxc", "delete", "--force", name, "--project", LXD_PROJECT], check=False)
            else:
                run(env, [{"vmfleet.hosts.vm_compose": "{{ item }}", "loop": [lxd_vm(i) for i in range(have, size)]}],
                    LXD_DEFAULTS)  # fmt: skip
            have = size
            items = [lxd_vm(i % size) for i in range(LOOP)]
            names = [vm["name"] for vm in items]
            # lxd_container would rewrite our instances' config to its own: its unchanged run is timed on an
            # instance it made itself (one GET per run either way)
            run(env, [{"community.general.lxd_container": lxd_anchor(ANCHOR_REF)}])
            tasks = []
            for _round in range(ROUNDS):
                tasks += timed("ours", {"vmfleet.hosts.vm_compose": "{{ item }}"}, items)
                tasks += timed("anchor", {"community.general.lxd_container": lxd_anchor("{{ item }}")},
                               [ANCHOR_REF] * LOOP)  # fmt: skip
                tasks += timed("ping", {"ansible.builtin.ping": {}}, names)
            got = run(env, tasks, LXD_DEFAULTS)
            rows.append(("LXD", "unchanged", size, got["ours"], got["anchor"], got["ping"]))
    finally:
        subprocess.run(["lxc", "delete", "--force", ANCHOR_REF, "--project", LXD_PROJECT], capture_output=True,
                       check=False)  # fmt: skip
        run(env, [{"vmfleet.hosts.vm_host": {"state": "absent", "remove_vms": True}}], LXD_DEFAULTS)
        subprocess.run(["lxc", "project", "delete", LXD_PROJECT], capture_output=True, check=False)
    return rows


def report(rows: list) -> None:
    print(f"\nvm_compose through ansible-playbook, seconds per VM (median of {ROUNDS} rounds of {LOOP})")
    print(f"{'':9} {'run':10} {'VMs':>4} {'ours':>7} {'anchor':>7} {'ours/anchor':>12} {'ping':>7} {'ours/ping':>10}")
    for row in rows:
        hyper, kind, size, ours, anchor = row[:5]
        ours_s, anchor_s = median(ours), median(anchor)
        line = f"{hyper:9} {kind:10} {size:>4} {ours_s:7.3f} {anchor_s:7.3f} {ours_s / anchor_s:12.2f}"
        if len(row) > 5:
            ping_s = median(row[5])
            line += f" {ping_s:7.3f} {ours_s / ping_s:10.2f}"
        print(line)


def main() -> None:
    env = prepare_anchors()
    which = sys.argv[1:] or ["libvirt", "lxd"]
    # the daemons are shared with the integration tests: their lock, taken here (never run this under flock)
    with Locked():
        if "libvirt" in which:
            report(bench_libvirt(env))  # printed at once: the LXD part takes minutes more
        if "lxd" in which:
            report(bench_lxd(env))


if __name__ == "__main__":
    main()
