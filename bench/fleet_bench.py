"""playbooks/fleet.yml as an operator runs it, over 10 VM hosts of this machine (`make bench`; prints, never fails).

The fleet: six projects of the local LXD server and two of the local Incus server (each project its own VM host,
made by the run with create_project), the local libvirt host and the same libvirtd over qemu+ssh (tools/sshd.sh's
127.0.0.1:2222): 10 VM hosts, 40 VMs declared (26 system containers from the tests' image, 14 small defined
libvirt VMs), each naming its host, round robin. Each daemon is 2 cores at ratio 10, 20 vCPUs for all its hosts
together (the plan checks it). Every figure is the wall time of one ``ansible-playbook`` process over that
inventory, so it measures whatever the playbook and modules do today:

- the first converge (once; the libvirt host was made a VM host through its local route just before, the LXD and
  Incus projects are made by it), the unchanged converge and the check-mode converge (median of a few runs);
- ``ansible.builtin.ping`` over the same host group: the floor of one task on every host;
- the unchanged converge again after half the VMs were removed (declared absent), on the same hosts: its ratio to
  the 40-VM one says whether the unchanged cost grows with the hosts (about 1) or with the VMs (about 2).

It takes the integration lock itself (never run it under flock), refuses to start on a libvirt host that is already
a VM host (its stored policy would be changed), removes everything it made with the daemons' own clients (also
after a failure) and checks the hosts are as before. Needs root, the daemons and the test image (the Makefile's
bench target sees to them).
"""

from __future__ import annotations

import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compose_bench import LXD_IMAGE, ROOT  # noqa: E402
from integration_lock import Locked  # noqa: E402
from read_path_bench import environment  # noqa: E402

PLAYBOOK_BIN = Path(sys.executable).with_name("ansible-playbook")
FLEET = ROOT / "playbooks" / "fleet.yml"
ROUNDS = 3  # runs of each cheap figure (median)
PREFIX = "vmfl-"
LXD_PROJECTS = [f"vmfleet-fleetbench-{i}" for i in range(1, 7)]
INCUS_PROJECTS = [f"vmfleet-fleetbench-i{i}" for i in range(1, 3)]
LIBVIRT_POOL = "vmfleet-fleetbench"
LIBVIRT_POOL_PATH = "/var/lib/libvirt/vmfleet-fleetbench"
META_POOL = "vmfleet"  # where libvirt keeps a VM host's policy (drivers/libvirt/meta_pool.py)
SSH_URI = "qemu+ssh://root@127.0.0.1:2222/system?keyfile=/root/.ssh/vmfleet_test_ed25519"
CONTAINERS, LIBVIRT_VMS = 26, 14
RATIO = 10  # a 2-core daemon: 20 vCPUs for all its hosts


# ---- the fleet ----


def hosts() -> dict:
    lxd = {"address": "/var/lib/lxd/unix.socket", "type": "lxd"}
    incus = {"address": "/var/lib/incus/unix.socket", "type": "incus"}
    policy = {"cpu_over_commit_ratio": RATIO, "zone": "bench-lxd", "create_project": True}
    found = {}
    for i, project in enumerate(LXD_PROJECTS, 1):
        found[f"lxd-{i}"] = {"vmfleet_connection": {**lxd, "project": project}, "vmfleet_policy": policy}
    for i, project in enumerate(INCUS_PROJECTS, 1):
        found[f"incus-{i}"] = {"vmfleet_connection": {**incus, "project": project}, "vmfleet_policy": policy}
    # One libvirtd reached two ways keeps one policy, stored on it: it is declared once (docs/fleet.md).
    found["kvm-local"] = {
        "vmfleet_connection": {"address": "qemu:///system"},
        "vmfleet_policy": {"cpu_over_commit_ratio": RATIO, "zone": "bench-kvm", "default_storage_pool": LIBVIRT_POOL,
                           "create_default_storage_pool": True, "default_storage_pool_path": LIBVIRT_POOL_PATH},
    }  # fmt: skip
    found["kvm-ssh"] = {"vmfleet_connection": {"address": SSH_URI}}
    return found


def declared() -> list:
    """40 VMs, containers and libvirt VMs interleaved, so that the first half holds both kinds.

    Each names its host, round robin, so every host holds some of both halves: left to the plan, the projects of one
    server tie on the free room they share and the first one takes them all."""
    lxd = [f"lxd-{i}" for i in range(1, len(LXD_PROJECTS) + 1)]
    incus = [f"incus-{i}" for i in range(1, len(INCUS_PROJECTS) + 1)]
    # two rounds over every host (12 on LXD, which other jobs' instances may share), the rest on Incus
    homes = (lxd + incus) * 2
    homes += [incus[i % len(incus)] for i in range(CONTAINERS - len(homes))]
    containers = [
        {"name": f"{PREFIX}c{i:02d}", "instance_type": "container", "cores": 1, "memory": "128M",
         "storage": "root:1", "boot": "image", "image": {"alias": LXD_IMAGE}, "host": home}
        for i, home in enumerate(homes)
    ]  # fmt: skip
    vms = [
        {"name": f"{PREFIX}k{i:02d}", "cores": 1, "memory": 64, "storage": "root:0.01",
         "host": ("kvm-local", "kvm-ssh")[i % 2]}
        for i in range(LIBVIRT_VMS)
    ]  # fmt: skip
    mixed = []
    for step in range(max(len(containers) // 2 + 1, len(vms))):
        mixed += containers[2 * step : 2 * step + 2] + vms[step : step + 1]
    return mixed


def write_inventory(where: Path, vms: list, only=None) -> Path:
    group = {
        "hosts": {name: host for name, host in hosts().items() if only is None or name in only},
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
    }
    (where / "group_vars").mkdir(parents=True, exist_ok=True)
    (where / "hosts.yml").write_text(yaml.safe_dump({"vmfleet_hosts": group}, sort_keys=False))
    (where / "group_vars" / "all.yml").write_text(yaml.safe_dump({"vmfleet_vms": vms, "vmfleet_strategy": "spread"}))
    return where / "hosts.yml"


def timed_run(env: dict, inventory: Path, playbook: Path, *args: str) -> tuple:
    """(seconds, changed tasks over all hosts, stdout) of one ansible-playbook run; a failed run stops the bench."""
    started = time.perf_counter()
    proc = subprocess.run([str(PLAYBOOK_BIN), "-i", str(inventory), str(playbook), *args], env=env,
                          capture_output=True, text=True, timeout=3600, check=False)  # fmt: skip
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{playbook.name} {' '.join(args)} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}")
    changed = sum(int(n) for n in re.findall(r"^\S+\s+:\s+ok=\d+\s+changed=(\d+)", proc.stdout, re.M))
    return seconds, changed, proc.stdout


# ---- what the daemons hold (the bench's own clients, never the code under test) ----


def _json(cmd: list):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    return json.loads(proc.stdout) if proc.returncode == 0 and proc.stdout.strip() else []


def _virsh(*args: str) -> list:
    proc = subprocess.run(["virsh", "-q", "-c", "qemu:///system", *args], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    return proc.stdout.split()


def snapshot() -> dict:
    """Everything the bench could leave behind: projects, instances, pools, profiles, domains, networks."""
    got = {}
    for cli in ("lxc", "incus"):
        projects = [p["name"] for p in _json([cli, "query", "/1.0/projects?recursion=1"])]
        got[f"{cli} projects"] = sorted(projects)
        instances = _json([cli, "list", "--all-projects", "--format", "json"])
        got[f"{cli} instances"] = sorted(f"{i.get('project')}/{i['name']}" for i in instances)
        pools = _json([cli, "query", "/1.0/storage-pools?recursion=1"])
        got[f"{cli} storage pools"] = sorted(p["name"] for p in pools)
        got[f"{cli} default project config"] = _json([cli, "query", "/1.0/projects/default"]).get("config")
    got["libvirt domains"] = sorted(_virsh("list", "--all", "--name"))
    got["libvirt pools"] = sorted(_virsh("pool-list", "--all", "--name"))
    got["libvirt networks"] = sorted(_virsh("net-list", "--all", "--name"))
    return got


def placed() -> dict:
    """VM host -> how many of the bench's VMs it holds (libvirt's are counted once, as kvm)."""
    counts = {}
    for cli, projects, label in (("lxc", LXD_PROJECTS, "lxd"), ("incus", INCUS_PROJECTS, "incus")):
        for i, project in enumerate(projects, 1):
            names = [x["name"] for x in _json([cli, "list", "--project", project, "--format", "json"])]
            counts[f"{label}-{i}"] = sum(name.startswith(PREFIX) for name in names)
    counts["kvm"] = sum(name.startswith(PREFIX) for name in _virsh("list", "--all", "--name"))
    return counts


def clean() -> None:
    """Remove what the bench made, with the daemons' own clients (works when the code under test does not).

    The libvirt host's policy pool goes too: the bench does not start on a host that had one."""
    for cli, projects in (("lxc", LXD_PROJECTS), ("incus", INCUS_PROJECTS)):
        for project in projects:
            for inst in _json([cli, "list", "--project", project, "--format", "json"]):
                subprocess.run([cli, "delete", "--force", "--project", project, inst["name"]], capture_output=True,
                               check=False)  # fmt: skip
            for profile in _json([cli, "profile", "list", "--project", project, "--format", "json"]):
                if profile["name"] != "default":  # a compose lock left by a failed run
                    subprocess.run([cli, "profile", "delete", "--project", project, profile["name"]],
                                   capture_output=True, check=False)  # fmt: skip
            subprocess.run([cli, "project", "delete", project], capture_output=True, check=False)
    for name in _virsh("list", "--all", "--name"):
        if name.startswith(PREFIX):
            _virsh("destroy", name)
            _virsh("undefine", name, "--nvram")
    for pool in (LIBVIRT_POOL, META_POOL):
        if pool in _virsh("pool-list", "--all", "--name"):
            for line in subprocess.run(["virsh", "-q", "vol-list", pool], capture_output=True, text=True,
                                       check=False).stdout.splitlines():  # fmt: skip
                if line.split():
                    _virsh("vol-delete", line.split()[0], "--pool", pool)
            for step in ("pool-destroy", "pool-delete", "pool-undefine"):
                _virsh(step, pool)


def preflight() -> None:
    try:
        with socket.create_connection(("127.0.0.1", 2222), timeout=5):
            pass
    except OSError as error:
        raise SystemExit(f"fleet bench: no sshd on 127.0.0.1:2222 for qemu+ssh ({error}); run `make daemons`") from None
    for cli in ("lxc", "incus"):
        if subprocess.run([cli, "query", "/1.0"], capture_output=True, check=False).returncode != 0:
            raise SystemExit(f"fleet bench: {cli} does not answer; run `make daemons`")
        if not _json([cli, "image", "list", LXD_IMAGE, "--format", "json"]):
            raise SystemExit(f"fleet bench: {cli} has no image {LXD_IMAGE}; run `make test-image`")


# ---- the run ----


def measure(env: dict, work: Path) -> tuple:
    vms = declared()
    half = vms[: len(vms) // 2]
    full_inv = write_inventory(work / "full", vms)
    ping_play = work / "ping.yml"
    ping = {"name": "Ping every VM host", "hosts": "vmfleet_hosts", "gather_facts": False,
            "tasks": [{"ansible.builtin.ping": {}}]}  # fmt: skip
    ping_play.write_text(yaml.safe_dump([ping]))
    rows, notes = [], []

    def row(label: str, count, runs: list, changed: list) -> None:
        rows.append((label, count, runs))
        if any(changed):
            notes.append(f"{label} ({count} VMs): tasks changed in runs: {changed}")

    # the libvirt host is made a VM host through its local route first (untimed): declared with its qemu+ssh route
    # in the same first run, the route without the policy may be read before the policy is stored (docs/fleet.md)
    timed_run(env, write_inventory(work / "prepare", [], only=("kvm-local",)), FLEET)
    seconds, _changed, out = timed_run(env, full_inv, FLEET)
    row("first converge", len(vms), [seconds], [0])
    made = re.findall(rf'"{PREFIX}\w+ on ([\w-]+): created', out)
    notes.append("created: " + ", ".join(f"{h} {made.count(h)}" for h in hosts()))
    where = placed()
    if sum(where.values()) != len(vms):
        notes.append(f"the daemons hold {sum(where.values())} of the {len(vms)} VMs declared!")
    for label, args in (("unchanged converge", ()), ("check-mode converge", ("--check",))):
        got = [timed_run(env, full_inv, FLEET, *args) for _round in range(ROUNDS)]
        row(label, len(vms), [g[0] for g in got], [g[1] for g in got])
    got = [timed_run(env, full_inv, ping_play) for _round in range(ROUNDS)]
    row("ansible.builtin.ping", None, [g[0] for g in got], [0])
    removing = half + [{"name": vm["name"], "state": "absent"} for vm in vms[len(half) :]]
    seconds, _changed, _out = timed_run(env, write_inventory(work / "remove", removing), FLEET)
    row("remove half (declared absent)", len(vms) - len(half), [seconds], [0])
    half_inv = write_inventory(work / "half", half)
    got = [timed_run(env, half_inv, FLEET) for _round in range(ROUNDS)]
    row("unchanged converge", len(half), [g[0] for g in got], [g[1] for g in got])
    where = placed()
    if sum(where.values()) != len(half):
        notes.append(f"after the removal the daemons hold {sum(where.values())} VMs, not {len(half)}!")
    return rows, notes


def report(rows: list, notes: list, load: tuple) -> None:
    hosts_count = len(hosts())
    print(f"\nplaybooks/fleet.yml through ansible-playbook: {hosts_count} VM hosts ({len(LXD_PROJECTS)} LXD projects, "
          f"{len(INCUS_PROJECTS)} Incus projects, libvirt local + qemu+ssh), wall seconds per run")  # fmt: skip
    print(f"load average before: {load[0]:.2f} after: {load[1]:.2f}; Ansible's default forks (5)")
    ping = statistics.median(next(r[2] for r in rows if r[0] == "ansible.builtin.ping"))
    print(f"{'run':32} {'VMs':>4} {'runs':>5} {'seconds':>8} {'min':>7} {'max':>7} {'x ping':>7} {'s/VM':>6}")
    for label, count, runs in rows:
        mid = statistics.median(runs)
        per_vm = f"{mid / count:6.2f}" if count else f"{'':6}"
        print(f"{label:32} {count or '':>4} {len(runs):>5} {mid:8.1f} {min(runs):7.1f} {max(runs):7.1f} "
              f"{mid / ping:7.2f} {per_vm}")  # fmt: skip
    unchanged = {count: statistics.median(runs) for label, count, runs in rows if label == "unchanged converge"}
    full, half = max(unchanged), min(unchanged)
    print(f"unchanged converge, {full} VMs / {half} VMs on the same {hosts_count} hosts: "
          f"{unchanged[full] / unchanged[half]:.2f} (1.0: grows with the hosts; 2.0: with the VMs)")  # fmt: skip
    for note in notes:
        print(f"note: {note}")


def main() -> None:
    env = environment()
    env.update(ANSIBLE_STDOUT_CALLBACK="default", ANSIBLE_RETRY_FILES_ENABLED="false", ANSIBLE_FORCE_COLOR="0")
    asked = time.perf_counter()
    with Locked(), tempfile.TemporaryDirectory() as tmp:
        held = time.perf_counter()
        preflight()
        if META_POOL in _virsh("pool-list", "--all", "--name"):
            raise SystemExit(
                f"fleet bench: the libvirt host is a VM host already (pool {META_POOL!r}); the bench would change "
                "its stored policy. Remove it (vm_host state: absent) or run elsewhere."
            )
        clean()  # what an interrupted run left
        before = snapshot()
        load_before = Path("/proc/loadavg").read_text().split()[0]
        rows, notes = [], []
        try:
            rows, notes = measure(env, Path(tmp))
        finally:
            load_after = Path("/proc/loadavg").read_text().split()[0]
            clean()
            after = snapshot()
            changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
            print("hosts as before: " + ("yes" if not changed else f"NO, {changed}"))
    print(f"integration lock: waited {held - asked:.0f} s, held {time.perf_counter() - held:.0f} s")
    report(rows, notes, (float(load_before), float(load_after)))


if __name__ == "__main__":
    main()
