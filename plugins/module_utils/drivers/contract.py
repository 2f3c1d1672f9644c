# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a driver is: every operation the services (vm_host, vm_host_info, vm_compose) ask of a hypervisor.

A driver translates between one hypervisor's API and plain data (dicts, lists, strings, numbers) and never decides
capacity: the capacity core does, on the host record a driver's ``inventory`` returns. The services call only what
``Driver`` declares here and never test which driver they hold; where hypervisors differ (LXD has projects, libvirt
a default pool directory), a hook below says so. A new hypervisor is a new folder under ``drivers/`` with a
subclass of ``Driver`` and one line in ``drivers/factory.py`` (docs/driver_contract.md).

Errors. A driver raises ``DriverError(kind, message)`` (drivers/errors.py) for whatever its hypervisor refused or
could not be reached for, and ``SpecError`` for user input only the hypervisor can judge (an image too big for the
disk). Kinds every operation may raise, so not repeated below: ``unreachable`` (the daemon stopped answering),
``permission`` (it refuses this client) and ``hypervisor`` (any other refusal, with the daemon's own message).
Nothing else escapes a driver: no binding exception reaches a service.

Shapes named below:

- *host record*: the capacity core's input, as docs/record-schema.md describes (``vms``, ``numa_nodes``,
  ``pools``, ``interfaces``, ...).
- *domain*: one entry of ``Inventory.domains``, what the driver knows of one VM or instance beyond its ``vms[]``
  entry: ``uuid``, ``power_state`` ("running", "stopped", ...), ``interfaces``, ``disks`` (``{"name", "pool",
  "volume", "format"}``, ``name`` the guest device), ``drift`` (a list, empty when the VM is as composed) and
  ``metadata`` = ``{"managed": bool, "volumes": [{"pool", "name"}], "request": dict or None}``.
- *volume*: ``{"pool": str, "name": str}``, plus what the driver needs to make it.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError


@dataclass
class Inventory:
    """What one read of a host found; every driver returns this one type.

    ``record``: the host record. ``domains``: name -> domain (see above) for every VM or instance the driver sees,
    managed or not. ``capabilities`` and ``free_vfs`` (SR-IOV NIC name -> PCI addresses of VFs no VM uses) are the
    driver's own, passed back to its ``plan_new``/``plan_update``; services do not read them. ``warnings``: what
    the read could not see (LXD: projects this certificate may not list), always present, for the module to pass on.
    """

    record: dict
    domains: dict
    capabilities: dict = field(default_factory=dict)
    free_vfs: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


@dataclass
class ComposePlan:
    """How a driver will make (``plan_new``) or redefine (``plan_update``) one VM; the services read only the
    public fields and hand the plan back to the same driver unchanged.

    ``name``: the VM. ``interfaces``: ``[{"name", "mac"}]`` in the request's order, the MAC each NIC really gets.
    ``owned_volumes``: the volumes the VM owns once made, as its metadata records them (removed with it).
    ``new_volumes``: the volumes ``create`` makes, each with at least ``pool`` and ``name``; they are recorded
    before anything is made, so that a job that dies half-way is undone by the next one (empty for an update).
    ``private``: the driver's own plan (a domain XML, an instance body); nothing outside the driver reads it.
    """

    name: str
    interfaces: list = field(default_factory=list)
    owned_volumes: list = field(default_factory=list)
    new_volumes: list = field(default_factory=list)
    private: dict = field(default_factory=dict)


class Driver(abc.ABC):
    """One connection to one VM host. Opened by ``drivers/factory.open_driver(connection)``, closed with ``close``.

    Attributes every driver sets: ``type`` (the connection option ``type``: "libvirt", "lxd"), ``address`` (as the
    operator wrote it, named in messages). Class-level hooks with their defaults, for what not every hypervisor
    has:
    """

    type = ""
    address = ""
    #: The hypervisor's name in messages ("libvirt", "LXD").
    label = ""
    #: Whether the host is one project of a shared daemon (LXD, Incus): ``project_exists``/``create_project`` then
    #: mean something and vm_host's ``create_project`` applies. Without projects the whole host is the scope.
    has_projects = False
    #: The project this driver works in, or None without projects.
    project = None
    #: Where vm_host's create_default_storage_pool puts a dir pool when no path is given; None lets the
    #: hypervisor choose (LXD keeps pools in its own directory).
    default_pool_path = None

    # ---- the connection ----

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection. Never raises (a daemon that went away has nothing left to release)."""

    @abc.abstractmethod
    def reconnect(self) -> bool:
        """Open a new connection when the daemon closed this one (it restarted); True when one was opened.

        Called before the second try of a failed rollback. A driver whose every request opens its own
        connection returns False.
        """

    # ---- the host: its scope, policy and pools (vm_host, vm_host_info) ----

    def project_exists(self) -> bool:
        """Whether the driver's project exists. Default (no projects): True, the host itself is the scope."""
        return True

    def create_project(self) -> None:
        """Create the driver's project (vm_host with create_project: true, only called when ``has_projects``).

        Default: raises DriverError ``unsupported``.
        """
        raise DriverError("unsupported", f"{self.label or self.type} hosts have no projects ({self.address})")

    @abc.abstractmethod
    def is_vm_host(self) -> bool:
        """Whether a vmfleet policy is stored on the host (vm_host made it a VM host)."""

    @abc.abstractmethod
    def stored_policy(self):
        """The policy stored on the host (a dict, as spec/host_policy.parse_policy returns), or None without one.

        Raises ``corrupt_policy`` when the stored text cannot be read as a policy, ``bad_address`` when the
        project does not exist.
        """

    @abc.abstractmethod
    def stored_policy_text(self):
        """The stored policy's text as it is (str), also when it is no policy; None without one (vm_host force)."""

    @abc.abstractmethod
    def store_policy(self, policy: dict) -> None:
        """Store ``policy`` (a whole merged policy), making the host a VM host if it was not."""

    @abc.abstractmethod
    def remove_policy(self) -> bool:
        """Remove the stored policy and the driver's own bookkeeping; True when there was one."""

    @abc.abstractmethod
    def storage_pool_names(self) -> list:
        """The names (str, sorted) of the host's storage pools a VM's disks may use."""

    @abc.abstractmethod
    def create_dir_pool(self, name: str, path) -> None:
        """Make a directory storage pool ``name`` at ``path`` (None: ``default_pool_path``, or the hypervisor's
        choice), started and kept across daemon restarts."""

    @abc.abstractmethod
    def inventory(self, policy=None, empty_project: bool = False) -> Inventory:
        """Read the host under ``policy`` (a merged policy dict; None: the stored one, else the defaults).

        ``empty_project`` reads a project that does not exist yet as empty (vm_host in check mode); drivers
        without projects ignore it. Raises ``bad_address`` for a missing project, ``corrupt_policy``.
        """

    @abc.abstractmethod
    def read_vm(self, name: str):
        """The targeted read of one VM: ``(domain, vm)`` for VM ``name``, or None when it does not exist.

        ``domain`` is what ``inventory().domains[name]`` holds (metadata with the stored request, drift included)
        and ``vm`` its ``record["vms"]`` entry, both as a whole read of the host would build them; but only this
        VM's own definition, volumes, pools and networks are read, not every VM, pool and project. Where the read
        cannot tell (a volume that cannot be measured), it reports drift rather than none: vm_compose's unchanged
        run then goes the locked way, whose whole read decides. Never used for a capacity decision.
        """

    # ---- the compose lock (vm_compose) ----

    @abc.abstractmethod
    def lock(self, owner: str, timeout: float):
        """The host's compose lock, a ``drivers/lease_lock.LeaseLock`` (a context manager; also the store of
        compose records, drivers/compose_records.py). ``owner`` names the job in messages.

        Raises ``not_a_vm_host``; entering it raises ``lock_timeout`` after ``timeout`` seconds.
        """

    # ---- composing (the capacity core has decided before any of these is called) ----

    @abc.abstractmethod
    def compose_options(self, params: dict) -> dict:
        """The hypervisor's own compose options out of vm_compose's params, checked (raises SpecError naming the
        option): libvirt's accelerator and image volume, LXD's instance_type and image alias. Plain data, stored
        with the VM and compared on later runs; an option the driver lacks is simply absent."""

    @abc.abstractmethod
    def check_image(self, request: dict, options: dict) -> None:
        """Refuse, before anything is made, an image or instance type the host cannot use for ``request`` (a
        parsed request, spec/request.py) with ``options`` (SpecError, or DriverError ``hypervisor``)."""

    @abc.abstractmethod
    def has_vm(self, name: str) -> bool:
        """Whether a VM or instance ``name`` exists (managed or not)."""

    @abc.abstractmethod
    def plan_new(self, inventory: Inventory, alloc: dict, request: dict, options: dict) -> ComposePlan:
        """The plan of a new VM: ``alloc`` is the core's placement (capacity/fit.fit), ``request`` the parsed
        request, ``options`` as ``compose_options`` plus boot and cloud-init. Pure: nothing on the host changes.
        Raises SpecError for what only this driver can refuse (an SR-IOV NIC without a free VF)."""

    @abc.abstractmethod
    def plan_update(
        self, inventory: Inventory, alloc: dict, request: dict, options: dict, volumes: list, uuid
    ) -> ComposePlan:
        """The plan of an existing VM with a new size or tags: ``volumes`` are its own (``{"pool", "name",
        "target", "format"}``), ``uuid`` its domain's. Pure, as ``plan_new``."""

    @abc.abstractmethod
    def check_new_volumes(self, plan: ComposePlan) -> None:
        """Refuse (``hypervisor``) a plan whose ``new_volumes`` already exist: they would belong to someone else."""

    @abc.abstractmethod
    def create(self, plan: ComposePlan, reached=lambda point: None) -> None:
        """Make the plan's volumes and VM, defined and stopped. ``reached(point)`` is called at each step
        (fault_points.py) so tests can fail there.

        On failure it removes what it made and raises; when that removal fails too, the DriverError's ``left``
        lists the volumes still there (the service reconnects and tries once more).
        """

    @abc.abstractmethod
    def redefine(self, plan: ComposePlan) -> None:
        """Write a ``plan_update`` plan's definition (size, tags, placement, the stored request) over the VM's."""

    @abc.abstractmethod
    def grow_volume(self, name: str, pool: str, volume: str, size: int, target: str) -> None:
        """Grow VM ``name``'s volume ``pool``/``volume`` (guest device ``target``) to ``size`` bytes."""

    @abc.abstractmethod
    def live_resize(self, name: str, cores: int, memory_mib: int) -> bool:
        """Apply a redefined size to the running VM; True when it took effect without a restart."""

    @abc.abstractmethod
    def placement_needs_restart(self, name: str) -> bool:
        """Whether new pinning, NUMA binding or hugepages reach VM ``name`` only when it starts again."""

    @abc.abstractmethod
    def repair_volume(self, inventory: Inventory, name: str, repair: dict) -> bool:
        """Recreate a VM's missing empty data volume (drift, drift_repair.py); True when the VM needs a restart
        to see it. Raises ``drift`` when it cannot be repaired."""

    @abc.abstractmethod
    def remove_vm(self, name: str, volumes: list) -> list:
        """Stop and delete VM ``name`` (when it exists) and ``volumes`` (``{"pool", "name"}``, those it owns);
        returns the ``"pool/name"`` strings of the volumes deleted. Raises ``hypervisor`` naming what is left."""

    # ---- power and addresses ----

    @abc.abstractmethod
    def is_running(self, name: str) -> bool:
        """Whether VM ``name`` runs."""

    @abc.abstractmethod
    def power(self, name: str, action: str, shutdown_timeout: float, clock) -> dict:
        """``action`` "start", "stop" or "restart" VM ``name``; a stop asks the guest first and forces it off after
        ``shutdown_timeout`` seconds of ``clock`` (``now()``, ``sleep(s)``; vm_compose_service.Clock).

        Returns ``{"forced_off": bool}``.
        """

    def addresses(self, name: str, include_link_local: bool = False) -> list:
        """The addresses VM ``name`` has now: ``[{"interface", "mac", "family" ("inet", "inet6"), "address"}]``.

        Loopback never; link-local (fe80::/10, 169.254/16) only with ``include_link_local``. A stopped VM has
        none. A source of addresses that is unavailable (no guest agent) adds nothing and raises nothing.

        Default: raises DriverError ``unsupported`` (a driver that cannot read them says so rather than guess).
        """
        raise DriverError("unsupported", f"{self.label or self.type} driver cannot read the addresses of {name!r}")
