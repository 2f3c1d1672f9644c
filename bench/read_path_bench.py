"""The drivers' read path as hosts fill up: discovery of 1, 10, 200 and 1,000 VMs (`make bench`; prints, never fails).

Every vm_compose and vm_host call discovers the whole host first, so its cost per VM on the host must stay flat.
At the start of each run, under the integration lock, one VM is composed on the real libvirtd and one system
container on the real LXD (from the test image), and what discovery reads of them is captured: domain XML,
capabilities, pools, volumes, networks and node devices from libvirt; the instance JSON and the REST documents
around it from LXD. Both are removed at once. Then, with no daemon involved, the public ``discover()`` of each
driver runs against a stub connection serving N renamed copies of the captured VM, so the captured shapes follow
whatever the drivers write today.

One realistic figure anchors the stub ones: ``vm_host_info`` through ansible-playbook against the libvirt host
as it is (under the lock). Needs root, the daemons and the LXD test image (the Makefile's bench target sees to
them).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid as uuidlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compose_bench import BUILD, LXD_IMAGE, run, timed  # noqa: E402
from integration_lock import Locked  # noqa: E402

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.host_policy import merge_policy  # noqa: E402

SIZES = (1, 10, 200, 1000)
ROUNDS = 3
WORK = BUILD / "bench" / "read_path"
PREFIX = "vmfr-"
SOURCE = PREFIX + "source"  # the one VM composed and captured on each daemon
LIBVIRT_POOL = "vmfleet-readbench"
LIBVIRT_POOL_PATH = "/var/lib/libvirt/vmfleet-readbench"
LXD_PROJECT = "vmfleet-readbench"
LXD_CONNECTION = {"type": "lxd", "project": LXD_PROJECT}


def environment() -> dict:
    env = dict(os.environ)
    env.update(ANSIBLE_COLLECTIONS_PATH=str(BUILD), PYTHONPATH=str(BUILD), ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_NOCOLOR="1")  # fmt: skip
    return env


# ---- capture (the only part that talks to the daemons) ----


def capture_libvirt(env: dict) -> dict:
    import libvirt

    # the host's stored policy is shared with everyone: the VM names its own pool rather than change the default
    vm = {"name": SOURCE, "cores": 1, "memory": 64, "disks": [{"name": "root", "pool": LIBVIRT_POOL, "size": 0.01}],
          "cpu_disabled_features": ["arch-capabilities"]}  # fmt: skip
    _remove_pool()  # left by an interrupted run
    ask = {"vmfleet.hosts.vm_host_info": {}, "register": "bench_info"}
    keep = {"ansible.builtin.set_fact": {"timings": {"registered": "{{ bench_info.registered }}"}}}
    info = run(env, [ask, keep])
    registered = info["registered"] in (True, "True", "true")
    try:
        if not registered:  # a policy of our own for the capture, removed after it; a stored one is left as it is
            run(env, [{"vmfleet.hosts.vm_host": {"cpu_over_commit_ratio": 10}}])
        for step in (["pool-define-as", LIBVIRT_POOL, "dir", "--target", LIBVIRT_POOL_PATH],
                     ["pool-build", LIBVIRT_POOL], ["pool-start", LIBVIRT_POOL]):  # fmt: skip
            subprocess.run(["virsh", "-q", *step], capture_output=True, check=True)
        run(env, [{"vmfleet.hosts.vm_compose": vm}])
        conn = libvirt.open("qemu:///system")
        dom = conn.lookupByName(SOURCE)
        pool = conn.storagePoolLookupByName(LIBVIRT_POOL)
        pool.refresh(0)
        got = {
            "capabilities": conn.getCapabilities(),
            "hostname": conn.getHostname(),
            "domain": {"inactive": dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE), "state": dom.state()[0]},
            "pool": {
                "name": LIBVIRT_POOL,
                "xml": pool.XMLDesc(0),
                "info": list(pool.info()),
                "volumes": [
                    {"name": v.name(), "path": v.path(), "info": list(v.info())}
                    for v in pool.listAllVolumes(0)
                    if SOURCE in v.name()
                ],
            },
            "networks": [{"xml": n.XMLDesc(0), "active": bool(n.isActive())} for n in conn.listAllNetworks(0)],
            "interfaces": [{"xml": i.XMLDesc(0), "active": bool(i.isActive())} for i in _host_interfaces(conn)],
            "devices": [
                {"name": d.name(), "parent": d.parent(), "caps": list(d.listCaps()), "xml": d.XMLDesc(0)}
                for d in conn.listAllDevices(0)
            ],
        }
        conn.close()
        return got
    finally:
        run(env, [{"vmfleet.hosts.vm_compose": {"name": SOURCE, "state": "absent"}}])
        if not registered:
            run(env, [{"vmfleet.hosts.vm_host": {"state": "absent"}}])
        _remove_pool()


def _remove_pool() -> None:
    for step in ("pool-destroy", "pool-delete", "pool-undefine"):
        subprocess.run(["virsh", "-q", step, LIBVIRT_POOL], capture_output=True, check=False)


def _host_interfaces(conn) -> list:
    import libvirt

    try:
        return conn.listAllInterfaces(0)
    except libvirt.libvirtError:
        return []  # no interface backend: discovery then sees none either


def lxc_query(path: str):
    out = subprocess.run(["lxc", "query", path], capture_output=True, text=True, check=False)
    return json.loads(out.stdout) if out.returncode == 0 and out.stdout.strip() else None


def capture_lxd(env: dict) -> dict:
    defaults = {"vmfleet.hosts.vm_compose": LXD_CONNECTION, "vmfleet.hosts.vm_host": LXD_CONNECTION}
    host = {
        "create_project": True,
        "default_storage_pool": "default",
        "networks": [{"name": "lxdbr0", "default": True}],
    }
    vm = {"name": SOURCE, "cores": 1, "memory": 64, "storage": "root:1", "boot": "image",
          "image": {"alias": LXD_IMAGE}, "instance_type": "container"}  # fmt: skip
    project = f"project={LXD_PROJECT}"
    try:
        run(env, [{"vmfleet.hosts.vm_host": host}, {"vmfleet.hosts.vm_compose": vm}], defaults)
        pools = lxc_query("/1.0/storage-pools?recursion=1") or []
        got = {
            "server": lxc_query("/1.0"),
            "resources": lxc_query("/1.0/resources"),
            "instance": lxc_query(f"/1.0/instances/{SOURCE}?recursion=1&{project}"),
            "pools": pools,
            "pool_resources": {p["name"]: lxc_query(f"/1.0/storage-pools/{p['name']}/resources") for p in pools},
            # the instance's own root volume: copied per instance; other volumes of the project are left out
            "volumes": {
                p["name"]: [
                    v
                    for v in lxc_query(f"/1.0/storage-pools/{p['name']}/volumes?recursion=1&{project}") or []
                    if v["name"] == SOURCE
                ]
                for p in pools
            },
            "networks": lxc_query(f"/1.0/networks?recursion=1&{project}") or [],
            "profile": lxc_query(f"/1.0/profiles/default?{project}"),
        }
        got["network_state"] = {n["name"]: lxc_query(f"/1.0/networks/{n['name']}/state?{project}")
                                for n in got["networks"]}  # fmt: skip
        return got
    finally:
        subprocess.run(["lxc", "delete", "--force", SOURCE, "--project", LXD_PROJECT], capture_output=True, check=False)
        run(env, [{"vmfleet.hosts.vm_host": {"state": "absent", "remove_vms": True}}], defaults)
        subprocess.run(["lxc", "project", "delete", LXD_PROJECT], capture_output=True, check=False)


def anchor_host_info(env: dict) -> tuple:
    """vm_host_info through ansible-playbook on the libvirt host as it is: seconds per call, and its VM count."""
    tasks = timed("info", {"vmfleet.hosts.vm_host_info": {}, "register": "bench_info"}, list(range(ROUNDS)))
    count = "{{ timings | combine({'vms': [bench_info.results[0].host.vms | length]}) }}"
    tasks.append({"ansible.builtin.set_fact": {"timings": count}})
    got = run(env, tasks)
    return got["info"][0], int(got["vms"][0])


# ---- stubs (no daemon): what discover() calls, serving N renamed copies ----


class _Obj:
    """A libvirt object answering the methods discovery calls from captured values."""

    def __init__(self, **answers):
        self._answers = answers

    def __getattr__(self, name):
        answers = self.__dict__["_answers"]
        if name not in answers:
            raise AttributeError(name)
        value = answers[name]
        return lambda *args: value


def libvirt_stub(captured: dict, count: int):
    dom = captured["domain"]
    pool = captured["pool"]
    source_uuid = dom["inactive"].split("<uuid>", 1)[1].split("</uuid>", 1)[0]
    domains, volumes = [], []
    for index in range(count):
        name = f"{PREFIX}{index:05d}"
        xml = dom["inactive"].replace(SOURCE, name).replace(source_uuid, str(uuidlib.UUID(int=index + 1)))
        # every other copy is running (its live XML read too, here the same text): both paths are measured
        running = index % 2 == 1
        domains.append(_Obj(name=name, state=[1 if running else dom["state"], 0], XMLDesc=xml, isActive=int(running)))
        for vol in pool["volumes"]:
            volumes.append(_Obj(name=vol["name"].replace(SOURCE, name), path=vol["path"].replace(SOURCE, name),
                                info=vol["info"]))  # fmt: skip
    pools = [_Obj(name=pool["name"], isActive=1, refresh=0, listAllVolumes=volumes, info=pool["info"],
                  XMLDesc=pool["xml"])]  # fmt: skip
    devices = [
        _Obj(name=d["name"], parent=d["parent"], listCaps=d["caps"], XMLDesc=d["xml"]) for d in captured["devices"]
    ]
    return _Obj(
        getCapabilities=captured["capabilities"],
        getHostname=captured["hostname"],
        listAllStoragePools=pools,
        listAllDomains=domains,
        listAllNetworks=[_Obj(XMLDesc=n["xml"], isActive=n["active"]) for n in captured["networks"]],
        listAllInterfaces=[_Obj(XMLDesc=i["xml"], isActive=i["active"]) for i in captured["interfaces"]],
        listAllDevices=devices,
    )


class _Response:
    def __init__(self, metadata):
        self._body = {"type": "sync", "metadata": metadata}

    def json(self):
        return self._body


class LxdNode:
    """A pylxd-like API node: attribute and item access build the path, get() answers from the routes."""

    def __init__(self, routes, path=("1.0",), endpoint="stub"):
        self._routes, self._path, self._api_endpoint = routes, path, endpoint

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        # pylxd spells dashes in URLs as underscores in attribute names (storage_pools)
        return LxdNode(self._routes, (*self._path, name.replace("_", "-")), self._api_endpoint)

    def __getitem__(self, name):
        return LxdNode(self._routes, (*self._path, str(name)), self._api_endpoint)

    def get(self, params=None):
        key = "/".join(self._path)
        if (params or {}).get("recursion") and key + "?recursion" in self._routes:
            key += "?recursion"
        if key not in self._routes:
            raise LookupError(f"the stub has no {key}")  # the driver reads it as LXD refusing
        return _Response(self._routes[key])


class LxdClient:
    def __init__(self, routes, server):
        self.api = LxdNode(routes)
        self.host_info = server


def lxd_stub(captured: dict, count: int):
    source = captured["instance"]
    instances = []
    for index in range(count):
        name = f"{PREFIX}{index:05d}"
        inst = json.loads(json.dumps(source).replace(SOURCE, name))
        inst["project"] = LXD_PROJECT
        instances.append(inst)
    routes = {"1.0": captured["server"], "1.0/resources": captured["resources"], "1.0/instances": instances,
              "1.0/storage-pools": captured["pools"], "1.0/networks": captured["networks"],
              "1.0/profiles/default": captured["profile"]}  # fmt: skip
    for pool in captured["pools"]:
        base = f"1.0/storage-pools/{pool['name']}"
        routes[f"{base}/resources"] = captured["pool_resources"][pool["name"]]
        text = json.dumps(captured["volumes"][pool["name"]])
        routes[f"{base}/volumes"] = [
            v for i in range(count) for v in json.loads(text.replace(SOURCE, f"{PREFIX}{i:05d}"))
        ]
    for name, state in captured["network_state"].items():
        routes[f"1.0/networks/{name}/state"] = state
    # without recursion LXD lists URLs, with it the objects
    routes["1.0/storage-pools?recursion"] = captured["pools"]
    routes["1.0/storage-pools"] = [f"/1.0/storage-pools/{p['name']}" for p in captured["pools"]]
    return LxdClient(routes, captured["server"]), routes


# The deeper entry points, kept in one place so a refactor of the drivers changes only these two functions.


def discover_libvirt(conn, policy):
    from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import discovery

    return discovery.discover(conn, policy)


def discover_lxd(client, policy):
    from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import discovery

    return discovery.discover(client, client.api, client.api, LXD_PROJECT, policy, True)


def measure(label: str, make, call, policy, counts: list) -> list:
    """(N, total ms, ms per VM, peak MiB) for each N, median of ROUNDS runs of call(stub) on a fresh stub."""
    rows = []
    for count in SIZES:
        times, peaks = [], []
        for _round in range(ROUNDS):
            stub = make(count)
            tracemalloc.start()
            start = time.perf_counter()
            inventory = call(stub, policy)
            elapsed = time.perf_counter() - start
            peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
            tracemalloc.stop()
            found = [vm["name"] for vm in inventory.record["vms"] if vm["name"].startswith(PREFIX)]
            if len(found) != count:
                print(f"warning: {label} discovered {len(found)} of {count} VMs", file=sys.stderr)
            # timed again without tracemalloc, which slows allocation-heavy code: the time is this run's
            stub = make(count)  # a fresh one: discovery may keep or change what the stub served
            start = time.perf_counter()
            call(stub, policy)
            times.append(min(elapsed, time.perf_counter() - start))
        rows.append((count, statistics.median(times) * 1000, statistics.median(peaks)))
    counts.append((label, rows))
    return rows


def report(results: list, anchor) -> None:
    print(f"\nread path: discover() on captured VMs, median of {ROUNDS} (no daemon; peak = tracemalloc, Python heap)")
    print(f"{'driver':8} {'VMs':>6} {'total ms':>10} {'ms/VM':>8} {'ms/VM vs N=10':>14} {'peak MiB':>9}")
    for label, rows in results:
        per10 = next(total / count for count, total, _peak in rows if count == 10)
        for count, total, peak in rows:
            print(f"{label:8} {count:>6} {total:10.1f} {total / count:8.3f} {total / count / per10:14.2f} {peak:9.1f}")
    if anchor:
        seconds, vms = anchor
        print(f"anchor: vm_host_info through ansible-playbook, libvirt host as it is ({vms} VMs): {seconds:.3f} s/call")


def main() -> None:
    env = environment()
    WORK.mkdir(parents=True, exist_ok=True)
    anchor = None
    if "--reuse" in sys.argv[1:]:  # the last run's capture, no daemon: for working on the drivers' read path
        libvirt_data = json.loads((WORK / "libvirt.json").read_text())
        lxd_data = json.loads((WORK / "lxd.json").read_text())
    else:
        asked = time.perf_counter()
        with Locked():
            held = time.perf_counter()
            libvirt_data = capture_libvirt(env)
            lxd_data = capture_lxd(env)
            anchor = anchor_host_info(env)
        done = time.perf_counter()
        print(f"capture: waited {held - asked:.0f} s for the integration lock, held it {done - held:.0f} s")
        (WORK / "libvirt.json").write_text(json.dumps(libvirt_data, indent=1))
        (WORK / "lxd.json").write_text(json.dumps(lxd_data, indent=1))
    policy = merge_policy(None, {"default_storage_pool": LIBVIRT_POOL})
    results = []
    measure("libvirt", lambda n: libvirt_stub(libvirt_data, n), discover_libvirt, policy, results)
    lxd_policy = merge_policy(None, {"default_storage_pool": "default"})
    measure("LXD", lambda n: lxd_stub(lxd_data, n)[0], discover_lxd, lxd_policy, results)
    report(results, anchor)


if __name__ == "__main__":
    main()
