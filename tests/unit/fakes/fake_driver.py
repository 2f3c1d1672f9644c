"""An in-memory driver implementing the whole contract (drivers/contract.py), for the services' unit tests.

It keeps a host of one NUMA node, its pools, volumes, VMs, stored policy and compose lock in dicts, logs every
operation that changes something in ``calls``, and fails on demand: ``fail[op]`` (an operation name, or a compose
step such as ``volume_made``) is raised when that operation or step is reached. A failing ``create`` removes what
it made, as the real drivers do, unless ``rollback_fails`` is set; then its error lists what is left, as a
driver whose daemon went away mid-rollback does.
"""

from __future__ import annotations

import copy

from ansible_collections.vmfleet.hosts.plugins.module_utils.compose_state import desired_state, public_options
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.contract import ComposePlan, Driver, Inventory
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.host_record import host_record
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lease_lock import LeaseLock
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.stored_policy import Where, decode, encode
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.host_policy import merge_policy

GIB = 1024**3
WHERE = Where("the fake host's policy", "print(driver.policy_text)")


class FakeLock(LeaseLock):
    """The compose lock and the compose records, in the driver's ``lock_store`` dict."""

    name = "compose.lock"

    def __init__(self, store: dict, owner: str, timeout: float):
        super().__init__("the fake host", owner, timeout=timeout)
        self.store = store

    def _create(self, name, content):
        if name in self.store:
            return False
        self.store[name] = content
        return True

    def _read(self, name):
        return self.store.get(name)

    def _delete(self, name):
        self.store.pop(name, None)

    def _names(self, prefix):
        return [name for name in self.store if name.startswith(prefix)]

    def describe(self, name):
        return f"lock_store[{name!r}]"


class FakeClock:
    """vm_compose_service.Clock without waiting: ``sleep`` moves ``now`` on."""

    def __init__(self):
        self.time = 1000.0
        self.slept = 0.0

    def now(self):
        return self.time

    def sleep(self, seconds):
        self.time += seconds
        self.slept += seconds


class FakeDriver(Driver):
    type = "fake"
    label = "fake"
    default_pool_path = "/srv/fake-pools"

    def __init__(self, cpus=4, memory=8192, pools=None, vm_host=True, projects=False, project_made=True):
        self.address = "fake://host-01"
        self.cpus, self.memory = cpus, memory
        self.pools = dict(pools or {"default": 100 * GIB})  # name -> total bytes
        self.volumes = {}  # (pool, name) -> size in bytes
        self.vms = {}  # name -> what the fake keeps of a VM (see _define)
        self.policy_text = encode(merge_policy(None, {"default_storage_pool": "default"})) if vm_host else None
        self.lock_store = {}
        self.calls = []  # what changed the host
        self.reads = []  # the reads of VMs: the whole host (inventory) or one VM (read_vm)
        self.fail = {}
        self.rollback_fails = False
        self.guest_ignores_acpi = False  # a stop then waits out shutdown_timeout and forces the VM off
        self.hot_resize = True  # live_resize takes effect on a running VM
        self.warnings = []
        self.closed = False
        if projects:
            self.has_projects = True
            self.project = "vms"
            self.project_made = project_made

    def _maybe_fail(self, op):
        error = self.fail.get(op)
        if error is not None:
            raise error if isinstance(error, DriverError) else DriverError("hypervisor", f"{op} failed ({error})")

    # ---- the connection ----

    def close(self):
        self.closed = True

    def reconnect(self):
        self.calls.append(("reconnect",))
        return True

    # ---- the host ----

    def project_exists(self):
        return getattr(self, "project_made", True)

    def create_project(self):
        self.calls.append(("create_project",))
        self.project_made = True

    def _require_project(self):
        if not self.project_exists():
            raise DriverError("bad_address", f"project: {self.project!r} does not exist on {self.address}")

    def is_vm_host(self):
        return self.project_exists() and self.policy_text is not None

    def stored_policy(self):
        self._require_project()
        return decode(self.policy_text, WHERE)

    def stored_policy_text(self):
        self._require_project()
        return self.policy_text

    def store_policy(self, policy):
        self._maybe_fail("store_policy")
        self.calls.append(("store_policy",))
        self.policy_text = encode(policy)

    def remove_policy(self):
        self.calls.append(("remove_policy",))
        had, self.policy_text = self.policy_text is not None, None
        return had

    def storage_pool_names(self):
        return sorted(self.pools)

    def create_dir_pool(self, name, path):
        self.calls.append(("create_dir_pool", name, path))
        self.pools[name] = 100 * GIB

    def inventory(self, policy=None, empty_project=False):
        self.reads.append(("inventory",))
        if not empty_project:
            self._require_project()
        if policy is None:
            policy = merge_policy(self.stored_policy() if self.project_exists() else None, {})
        used = {}
        for (pool, _name), size in self.volumes.items():
            used[pool] = used.get(pool, 0) + size
        # the record as every driver builds it (drivers/host_record.py), from the fake's own parts
        record = host_record(
            "host-01",
            "fake",
            "fake:host-01",
            policy,
            [{"node_id": 0, "cpus": self.cpus, "memory": {"total": self.memory}}],
            [
                {"name": name, "type": "dir", "total": total, "used": used.get(name, 0)}
                for name, total in sorted(self.pools.items())
            ],
            [{"name": "br0", "type": "bridge", "default": True, "subnets": ["10.0.0.0/24"]}],
            [self._entry(vm) for vm in self.vms.values()],
        )
        domains = {name: self._domain(vm) for name, vm in self.vms.items()}
        return Inventory(record, domains, warnings=list(self.warnings))

    def _entry(self, vm):
        alloc = vm["alloc"]
        return {
            "name": vm["name"],
            "host": "host-01",
            "cores": alloc["cores"],
            "pinned_cores": list(alloc["pinned_cores"]),
            "memory": alloc["memory"],
            "hugepages_backed": alloc["hugepages_backed"],
            "hugepages": list(alloc["hugepages"]),
            "numanode_set": list(alloc["numanode_set"]),
            "spans_numa_nodes": alloc["spans_numa_nodes"],
            "disks": [
                {"name": v["disk"], "pool": v["pool"], "size": self.volumes.get((v["pool"], v["name"]), 0)}
                for v in vm["volumes"]
            ],
            "interfaces": copy.deepcopy(alloc["interfaces"]),
            "power_state": "running" if vm["running"] else "stopped",
            "pool": alloc["pool"],
            "tags": list(alloc["tags"]),
            "planned": False,
            "notes": [],
            "drift": copy.deepcopy(vm["drift"]),
        }

    def _domain(self, vm):
        return {
            "uuid": vm["uuid"],
            "power_state": "running" if vm["running"] else "stopped",
            "interfaces": copy.deepcopy(vm["alloc"]["interfaces"]),
            "disks": [
                {"name": v["target"], "pool": v["pool"], "volume": v["name"], "format": "raw"} for v in vm["volumes"]
            ],
            "drift": copy.deepcopy(vm["drift"]),
            "metadata": {
                "managed": vm["managed"],
                "volumes": [{"pool": v["pool"], "name": v["name"]} for v in vm["volumes"]],
                "request": copy.deepcopy(vm["stored"]) if vm["managed"] else None,
            },
        }

    # ---- the compose lock ----

    def lock(self, owner, timeout):
        if not self.is_vm_host():
            raise DriverError("not_a_vm_host", f"{self.address} is not a VM host yet")
        self._maybe_fail("lock")
        return FakeLock(self.lock_store, owner, timeout)

    # ---- composing ----

    def compose_options(self, params):
        return {}

    def check_image(self, request, options):
        self._maybe_fail("check_image")

    def has_vm(self, name):
        return name in self.vms

    def read_vm(self, name):
        """The targeted read: the same domain and vms[] entry inventory() builds, for this VM alone."""
        self.reads.append(("read_vm", name))
        self._maybe_fail("read_vm")
        vm = self.vms.get(name)
        return None if vm is None else (self._domain(vm), self._entry(vm))

    def plan_new(self, inventory, alloc, request, options):
        vm = request["name"]
        volumes = [
            {"pool": d["pool"], "name": f"{vm}-{d['name']}", "size": d["size"], "disk": d["name"], "target": target}
            for d, target in zip(alloc["disks"], ("vda", "vdb", "vdc", "vdd", "vde", "vdf"))
        ]
        macs = [{"name": nic["name"], "mac": f"52:54:00:00:00:{i:02x}"} for i, nic in enumerate(alloc["interfaces"])]
        return ComposePlan(
            name=vm,
            interfaces=macs,
            owned_volumes=[{"pool": v["pool"], "name": v["name"]} for v in volumes],
            new_volumes=volumes,
            private={"alloc": copy.deepcopy(alloc), "stored": desired_state(request, public_options(options))},
        )

    def plan_update(self, inventory, alloc, request, options, volumes, uuid):
        return ComposePlan(
            name=request["name"],
            owned_volumes=[{"pool": v["pool"], "name": v["name"]} for v in volumes],
            private={"alloc": copy.deepcopy(alloc), "stored": desired_state(request, options), "uuid": uuid},
        )

    def check_new_volumes(self, plan):
        for vol in plan.new_volumes:
            if (vol["pool"], vol["name"]) in self.volumes:
                raise DriverError("hypervisor", f"volume {vol['pool']}/{vol['name']} already exists")

    def create(self, plan, reached=lambda point: None):
        made = []
        try:
            for vol in plan.new_volumes:
                self._maybe_fail("create_volume")
                self.volumes[(vol["pool"], vol["name"])] = vol["size"]
                made.append({"pool": vol["pool"], "name": vol["name"]})
                reached("volume_made")
                self._maybe_fail("volume_made")
            self._maybe_fail("define")
            self.vms[plan.name] = {
                "name": plan.name,
                "uuid": f"uuid-{plan.name}",
                "alloc": plan.private["alloc"],
                "stored": plan.private["stored"],
                "volumes": [dict(v) for v in plan.new_volumes],
                "running": False,
                "managed": True,
                "drift": [],
            }
            reached("domain_defined")
            self._maybe_fail("domain_defined")
        except DriverError as error:
            if self.rollback_fails:
                raise DriverError(error.kind, f"cannot compose VM {plan.name!r}: {error.message}", left=made) from None
            self.vms.pop(plan.name, None)
            for vol in made:
                self.volumes.pop((vol["pool"], vol["name"]), None)
            raise
        self.calls.append(("create", plan.name))

    def redefine(self, plan):
        self._maybe_fail("redefine")
        self.calls.append(("redefine", plan.name))
        vm = self.vms[plan.name]
        vm["alloc"], vm["stored"] = plan.private["alloc"], plan.private["stored"]

    def grow_volume(self, name, pool, volume, size, target):
        self._maybe_fail("grow_volume")
        self.calls.append(("grow_volume", pool, volume, size))
        self.volumes[(pool, volume)] = size

    def live_resize(self, name, cores, memory_mib):
        self.calls.append(("live_resize", name, cores, memory_mib))
        return self.hot_resize or not self.vms[name]["running"]

    def placement_needs_restart(self, name):
        return self.vms[name]["running"]

    def addresses(self, name, include_link_local=False):
        # a running VM of the fake has one IPv4 address on its first NIC; a stopped one has none
        vm = self.vms[name]
        return [{"interface": "eth0", "mac": None, "family": "inet", "address": "192.0.2.10"}] if vm["running"] else []

    def repair_volume(self, inventory, name, repair):
        self.calls.append(("repair_volume", repair["pool"], repair["volume"]))
        vm = self.vms[name]
        self.volumes[(repair["pool"], repair["volume"])] = repair.get("size", 0)
        vm["drift"] = []
        return vm["running"]

    def remove_vm(self, name, volumes):
        self._maybe_fail("remove_vm")
        self.calls.append(("remove_vm", name))
        self.vms.pop(name, None)
        removed = []
        for vol in volumes:
            if self.volumes.pop((vol["pool"], vol["name"]), None) is not None:
                removed.append(f"{vol['pool']}/{vol['name']}")
        return removed

    # ---- power ----

    def is_running(self, name):
        return self.vms[name]["running"]

    def power(self, name, action, shutdown_timeout, clock):
        self._maybe_fail("power")
        self.calls.append(("power", name, action))
        vm = self.vms[name]
        forced = False
        if action in ("stop", "restart") and vm["running"]:
            if self.guest_ignores_acpi:
                deadline = clock.now() + shutdown_timeout
                while clock.now() < deadline:
                    clock.sleep(0.5)
                forced = True
            vm["running"] = False
        if action in ("start", "restart"):
            vm["running"] = True
        return {"forced_off": forced}

    # ---- helpers for tests ----

    def policy(self):
        """The stored policy, as the services would read it."""
        return decode(self.policy_text, WHERE)
