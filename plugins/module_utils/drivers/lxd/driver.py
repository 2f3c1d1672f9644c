# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The LXD driver: what modules call to read a host, keep its policy and compose instances on it.

It translates between LXD's REST API and the capacity core's plain data and never decides capacity itself.
"""

from __future__ import annotations

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.contract import ComposePlan, Driver, Inventory
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import addresses as lxd_addresses
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import compose as lxd_compose
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd import (
    compose_plan,
    discovery,
    policy_store,
    project_config,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.connection import (
    TIMEOUT,
    api_root,
    open_client,
    resolve_address,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.locations import client_config_dirs
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.lock import ProjectLock
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.removal import remove_instance
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.repair import recreate_volume
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.vm_read import read_vm
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.host_policy import merge_policy


class LxdDriver(Driver):
    """The contract (drivers/contract.py) over LXD's REST API, in one project of the daemon."""

    type = "lxd"
    label = "LXD"
    has_projects = True

    def __init__(self, connection: dict):
        self.client = open_client(connection)
        # as the operator wrote it (a socket path or https://...), not pylxd's http+unix://%2F... spelling
        self.address = resolve_address(connection.get("address"))
        self.project = connection.get("project") or "default"
        if self.client.host_info.get("auth") != "trusted":
            if self.address.startswith("https://") and not connection.get("client_cert"):
                raise DriverError(
                    "permission",
                    f"{self.address} needs a client certificate and none was found: give client_cert and "
                    f"client_key (or VMFLEET_CLIENT_CERT and VMFLEET_CLIENT_KEY), or keep lxc's pair in "
                    f"{' or '.join(client_config_dirs())}; vmfleet.hosts.lxd_trust makes one and gets it trusted",
                )
            raise DriverError(
                "permission",
                f"{self.address} does not trust this client's certificate: get it trusted first "
                f"(vmfleet.hosts.lxd_trust with a trust token or password)",
            )

    def close(self) -> None:
        # requests sessions hold pooled sockets only; nothing on the server side to release
        self.client.api.session.close()

    # ---- host: discovery, policy, lock (drivers/lxd/discovery.py, policy_store.py, lock.py) ----

    def _node(self, path: str = ""):
        """An API node without the project parameter (server-wide things, and the project object itself).

        Made with the node class's own constructor from what this driver opened the client with (the address and
        TIMEOUT), so nothing private of pylxd's is read.
        """
        api = self.client.api
        return type(api)(api_root(self.address) + path, session=api.session, timeout=TIMEOUT, project=None)

    def _project_node(self):
        return self._node("/projects/" + self.project)

    def project_exists(self) -> bool:
        return project_config.read(self._project_node(), self.project) is not None

    def _require_project(self) -> None:
        if not self.project_exists():
            raise DriverError(
                "bad_address",
                f"project: {self.project!r} does not exist on {self.address}; create it (vmfleet.hosts.vm_host "
                f"with create_project: true, or `lxc project create {self.project}`) or name another one",
            )

    def create_project(self) -> None:
        """Create the project; it shares the default project's images (features.images=false)."""
        body = {
            "name": self.project,
            "description": "VM host managed by vmfleet.hosts",
            "config": {"features.images": "false"},
        }
        discovery.ask(f"create project {self.project!r}", lambda: self._node("/projects").post(json=body))

    def stored_policy(self):
        """The policy stored in the project, or None when it is not a VM host; a missing project is an error."""
        self._require_project()
        return policy_store.read_policy(self._project_node(), self.project)

    def stored_policy_text(self):
        """The stored policy's text as it is, also when it cannot be read as a policy (vm_host's force)."""
        self._require_project()
        return policy_store.read_text(self._project_node(), self.project)

    def inventory(self, policy=None, empty_project: bool = False) -> Inventory:
        """The host under ``policy`` (default: the stored one, else the defaults).

        ``empty_project`` reads a project that does not exist yet as an empty one (vm_host in check mode).
        """
        exists = self.project_exists()
        if not exists and not empty_project:
            self._require_project()
        if policy is None:
            stored = policy_store.read_policy(self._project_node(), self.project) if exists else None
            policy = merge_policy(stored, {})
        return discovery.discover(
            self.client, self._node(), self.client.api, self.project, policy, exists, address=self.address
        )

    def read_vm(self, name: str):
        """One instance of the project as discovery sees it, from its own GET and what it names
        (drivers/lxd/vm_read.py)."""
        return read_vm(self.client, name, self.host_name())

    def store_policy(self, policy: dict) -> None:
        policy_store.write_policy(self._project_node(), self.project, policy)

    def remove_policy(self) -> bool:
        return policy_store.remove_policy(self._project_node(), self.project)

    def storage_pool_names(self) -> list:
        pools = discovery.ask("list storage pools", lambda: discovery.metadata(self._node("/storage-pools").get()))
        return sorted(url.rsplit("/", 1)[-1] for url in pools or [])

    def create_dir_pool(self, name: str, path) -> None:
        """A dir storage pool (vm_host's create_default_storage_pool); LXD chooses its directory unless given."""
        body = {"name": name, "driver": "dir", "config": {"source": path} if path else {}}
        discovery.ask(
            f"create dir storage pool {name!r}" + (f" at {path}" if path else ""),
            lambda: self._node("/storage-pools").post(json=body),
        )

    def lock(self, owner: str, timeout: float):
        if not self.is_vm_host():
            raise DriverError(
                "not_a_vm_host",
                f"project {self.project!r} on {self.address} is not a VM host yet: run vmfleet.hosts.vm_host on it "
                f"first",
            )
        return ProjectLock(self.client.api.profiles, self.project, owner, timeout=timeout)

    def is_vm_host(self) -> bool:
        found = project_config.read(self._project_node(), self.project)
        return bool(found and found.config.get(policy_store.POLICY_KEY))

    # ---- composing: instances (drivers/lxd/instances.py, compose_plan.py, compose.py, removal.py) ----

    def host_name(self) -> str:
        return (self.client.host_info.get("environment") or {}).get("server_name") or self.address

    def compose_options(self, params: dict) -> dict:
        return compose_plan.compose_options(params)

    def check_image(self, request: dict, options: dict) -> None:
        """Refuse, before anything is made, an instance type the server cannot run or an image it does not have."""
        kind = options["instance_type"]
        drivers = str((self.client.host_info.get("environment") or {}).get("driver") or "")
        if kind == "virtual-machine" and "qemu" not in drivers.split(" | "):
            raise DriverError(
                "hypervisor",
                f"{self.label} on {self.host_name()} cannot run virtual machines: "
                f"{lxd_compose.why_no_vms(self.address)} "
                f"(its instance drivers: {drivers or 'none'}); use instance_type: container",
            )
        if options["image"] is not None:
            lxd_compose.check_alias(self.client, options["image"]["alias"], kind)

    def plan_new(self, inventory, alloc: dict, request: dict, options: dict) -> ComposePlan:
        plan = compose_plan.new_instance(inventory.record, alloc, request, options)
        return ComposePlan(
            name=plan["name"],
            interfaces=plan["interfaces"],
            owned_volumes=plan["owned"],
            new_volumes=plan["volumes"],
            private=plan,
        )

    def plan_update(self, inventory, alloc: dict, request: dict, options: dict, volumes: list, uuid) -> ComposePlan:
        entry = inventory.domains[request["name"]]
        owned = entry["metadata"]["volumes"]
        config = compose_plan.updated_config(alloc, request, options, owned, entry["instance_type"])
        return ComposePlan(name=request["name"], owned_volumes=list(owned), private={"config": config})

    def check_new_volumes(self, plan: ComposePlan) -> None:
        lxd_compose.check_new_volumes(self.client, plan.private)

    def create(self, plan: ComposePlan, reached=lambda point: None) -> None:
        lxd_compose.create(self.client, plan.private, self.host_name(), reached)

    def has_vm(self, name: str) -> bool:
        return lxd_compose.instance_exists(self.client, name)

    def reconnect(self) -> bool:
        """Nothing to reopen: every request goes over a fresh or pooled HTTP connection, so once the daemon is back
        the next request reaches it."""
        return False

    def redefine(self, plan: ComposePlan) -> None:
        lxd_compose.update_config(self.client, plan.name, plan.private["config"])

    def grow_volume(self, name: str, pool: str, volume: str, size: int, target: str) -> None:
        lxd_compose.grow_disk(self.client, name, pool, volume, size, target)

    def repair_volume(self, inventory, name: str, repair: dict) -> bool:
        """Recreate a missing custom volume and attach it again (drift); True when the instance needs a restart."""
        return recreate_volume(self.client, inventory, name, repair)

    def live_resize(self, name: str, cores: int, memory_mib: int) -> bool:
        """Containers take new limits at once (written by redefine); a running VM gets them at its next start."""
        current = lxd_compose.instance(self.client, name)
        return current.get("type") == "container" or (current.get("status") or "").lower() == "stopped"

    def power(self, name: str, action: str, shutdown_timeout: float, clock=None) -> dict:
        return lxd_compose.power(self.client, name, action, shutdown_timeout)

    def is_running(self, name: str) -> bool:
        return lxd_compose.status(self.client, name) == "running"

    def placement_needs_restart(self, name: str) -> bool:
        """A container takes a new cpuset and hugepage limit at once; a running VM at its next start."""
        current = lxd_compose.instance(self.client, name)
        return current.get("type") != "container" and (current.get("status") or "").lower() != "stopped"

    def remove_vm(self, name: str, volumes: list) -> list:
        """Stop and delete the instance and the custom volumes it owns; returns the volumes deleted."""
        return remove_instance(self.client, name, volumes)

    def addresses(self, name: str, include_link_local: bool = False) -> list:
        """The instance state's addresses (drivers/lxd/addresses.py)."""
        return lxd_addresses.addresses(self.client, name, include_link_local)
