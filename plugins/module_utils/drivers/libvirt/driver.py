# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The libvirt driver: what modules call to read a host, keep its policy and compose VMs on it.

It translates between libvirt and the capacity core's plain data and never decides capacity itself.
"""

from __future__ import annotations

import contextlib

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.contract import ComposePlan, Driver, Inventory
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import addresses as libvirt_addresses
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import (
    compose,
    discovery,
    meta_pool,
    policy_store,
    pool_making,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.compose_options import compose_options
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import (
    error_code,
    libvirt,
    open_connection,
)
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.lock import HostLock
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.removal import remove_domain
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.vm_read import read_vm
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.host_policy import merge_policy

_DIR_POOL_XML = """<pool type='dir'>
  <name>{name}</name>
  <target><path>{path}</path></target>
</pool>"""


class LibvirtDriver(Driver):
    """The contract (drivers/contract.py) over one libvirt connection; the whole host is the scope (no projects)."""

    type = "libvirt"
    label = "libvirt"
    default_pool_path = "/var/lib/libvirt/images"

    def __init__(self, address: str):
        self.address = address
        self.conn = open_connection(address)

    def close(self) -> None:
        # closing a connection whose daemon went away has nothing left to release
        with contextlib.suppress(libvirt.libvirtError):
            self.conn.close()

    def stored_policy(self):
        """The policy stored on the host, or None when it is not a VM host."""
        return policy_store.read_policy(self.conn)

    def stored_policy_text(self):
        """The stored policy's text as it is, also when it cannot be read as a policy (vm_host's force)."""
        return policy_store.read_text(self.conn)

    def inventory(self, policy=None, empty_project: bool = False) -> Inventory:
        """The host under ``policy`` (default: the stored one, else the defaults); no projects, so no empty one."""
        if policy is None:
            policy = merge_policy(self.stored_policy(), {})
        return discovery.discover(self.conn, policy)

    def read_vm(self, name: str):
        """One domain as discovery sees it, from its own definition, volumes and networks (drivers/libvirt/vm_read)."""
        return read_vm(self.conn, name)

    def store_policy(self, policy: dict) -> None:
        policy_store.write_policy(self.conn, policy)

    def remove_policy(self) -> bool:
        return meta_pool.remove(self.conn)

    def storage_pool_names(self) -> list:
        try:
            return sorted(p.name() for p in self.conn.listAllStoragePools(0) if p.name() != meta_pool.META_POOL)
        except libvirt.libvirtError as error:
            raise DriverError("hypervisor", f"cannot list storage pools: {error.get_error_message()}") from None

    def create_dir_pool(self, name: str, path: str) -> None:
        """Define, build, start and autostart a dir storage pool (vm_host's create_default_storage_pool); a pool
        of that name that another job on this libvirtd has just made is taken as it is (see pool_making)."""
        try:
            pool_making.make_dir_pool(self.conn, name, _DIR_POOL_XML.format(name=name, path=path))
        except libvirt.libvirtError as error:
            raise DriverError(
                "hypervisor", f"cannot create dir storage pool {name!r} at {path}: {error.get_error_message()}"
            ) from None

    def lock(self, owner: str, timeout: float):
        pool = meta_pool.find(self.conn)
        if pool is None:
            raise DriverError(
                "not_a_vm_host", f"{self.address} is not a VM host yet: run vmfleet.hosts.vm_host on it first"
            )
        return HostLock(self, pool, owner, timeout=timeout)

    def is_vm_host(self) -> bool:
        return meta_pool.find(self.conn) is not None

    def remove_vm(self, name: str, volumes: list) -> list:
        """Stop, undefine and delete the volumes a VM owns; returns the volumes deleted."""
        return remove_domain(self.conn, name, volumes)

    # ---- composing (the capacity decision is made before these are called) ----

    def compose_options(self, params: dict) -> dict:
        return compose_options(params)

    def check_image(self, request: dict, options: dict) -> None:
        """The boot disk is a copy of the image volume, so the image must exist and fit in it."""
        image = options["image"]
        if image is None:
            return
        capacity = self.volume_capacity(image["pool"], image["volume"])
        root = request["disks"][0]
        if root["size"] < capacity:
            raise SpecError(
                "disks[0].size",
                root["size"],
                f"is smaller than image {image['pool']}/{image['volume']} ({capacity} bytes); the boot disk is a "
                f"copy of the image and cannot be smaller",
            )

    # The planners and the repair are imported where they are used: most runs (an unchanged VM, vm_host,
    # vm_host_info) never plan, and the domain template's checks and the cloud-init ISO writer they pull in are
    # about a quarter of the driver's import time, which every run of a module pays.

    def plan_new(self, inventory, alloc: dict, request: dict, options: dict) -> ComposePlan:
        from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import compose_plan

        return _public(compose_plan.new_vm(inventory, alloc, request, options), alloc)

    def plan_update(
        self, inventory, alloc: dict, request: dict, options: dict, volumes: list, uuid: str
    ) -> ComposePlan:
        from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt import compose_plan
        from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.write.domain import render_domain

        spec = compose_plan.domain_spec(inventory, alloc, request, options, volumes, uuid=uuid)
        return _public({"volumes": [], "spec": spec, "xml": render_domain(spec)}, alloc)

    def check_new_volumes(self, plan: ComposePlan) -> None:
        compose.check_new_volumes(self.conn, plan.private)

    def create(self, plan: ComposePlan, reached=lambda point: None) -> None:
        compose.create(self.conn, plan.private, reached)

    def has_vm(self, name: str) -> bool:
        try:
            self.conn.lookupByName(name)
        except libvirt.libvirtError as error:
            if error_code(error) == libvirt.VIR_ERR_NO_DOMAIN:
                return False
            raise DriverError("hypervisor", f"cannot look up VM {name!r}: {error.get_error_message()}") from None
        return True

    def reconnect(self) -> bool:
        """Open a new connection when libvirtd closed this one (it restarted); True when one was opened."""
        try:
            if self.conn.isAlive():
                return False
        except libvirt.libvirtError:
            pass  # asking a closed connection can fail too
        self.close()
        self.conn = open_connection(self.address)
        return True

    def redefine(self, plan: ComposePlan) -> None:
        compose.redefine(self.conn, plan.private["xml"], plan.name)

    def grow_volume(self, name: str, pool: str, volume: str, size: int, target: str) -> None:
        compose.grow_volume(self.conn, name, pool, volume, size, target)

    def live_resize(self, name: str, cores: int, memory_mib: int) -> bool:
        return compose.live_resize(self.conn, name, cores, memory_mib)

    def repair_volume(self, inventory, name: str, repair: dict) -> bool:
        """Recreate a missing empty data volume (drift); True when the running VM sees it only once restarted."""
        from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.repair import recreate_volume

        return recreate_volume(self.conn, inventory, name, repair)

    def power(self, name: str, action: str, shutdown_timeout: float, clock) -> dict:
        return compose.power(self.conn, name, action, shutdown_timeout, clock)

    def volume_capacity(self, pool: str, volume: str) -> int:
        return compose.volume_capacity(self.conn, pool, volume)

    def is_running(self, name: str) -> bool:
        return compose.is_running(self.conn, name)

    def placement_needs_restart(self, name: str) -> bool:
        """New pinning, NUMA binding and pages reach a running domain only when it starts again."""
        return self.is_running(name)

    def addresses(self, name: str, include_link_local: bool = False) -> list:
        """DHCP leases, then the guest agent, then ARP (drivers/libvirt/addresses.py)."""
        return libvirt_addresses.addresses(self.conn, name, include_link_local)


def _public(plan: dict, alloc: dict) -> ComposePlan:
    """The contract's view of a libvirt plan (volumes to create, domain spec and XML) for the services.

    The domain's interfaces are rendered in the order of the placement's, which carry the NICs' names.
    """
    spec = plan["spec"]
    return ComposePlan(
        name=spec["name"],
        interfaces=[
            {"name": placed.get("name"), "mac": nic["mac"]}
            for placed, nic in zip(alloc["interfaces"], spec["interfaces"])
        ],
        owned_volumes=list(spec["metadata"]["volumes"]),
        new_volumes=list(plan["volumes"]),
        private=plan,
    )
