# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Carrying out a compose plan on LXD: custom volumes, then the instance; updates, disk growth and power.

MAAS left volumes behind when a later step failed. Here every custom volume made is recorded, and the first error
removes what was made (instance, volumes) before it is reported. Never overwrites a volume that exists.
"""

from __future__ import annotations

import os
from urllib.parse import quote

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import DriverError
from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.lxd.removal import LXDAPIException, remove_instance
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError

WAIT_SLICE = 30  # seconds per /wait call, below the client's request timeout


def wait(client, response, what: str) -> dict:
    """Wait for the operation a request started; its final metadata, or a DriverError saying ``what`` failed."""
    body = response.json()
    if body.get("type") != "async":
        return body.get("metadata") or {}
    op_id = body["operation"].rsplit("/", 1)[-1].split("?", 1)[0]
    while True:
        try:
            meta = client.api.operations[op_id].wait.get(params={"timeout": WAIT_SLICE}).json().get("metadata") or {}
        except (LXDAPIException, OSError) as error:
            raise DriverError("hypervisor", f"cannot {what}: {error}") from None
        if meta.get("status") == "Success":
            return meta
        if meta.get("status") in ("Failure", "Cancelled") or meta.get("err"):
            raise DriverError("hypervisor", f"cannot {what}: {meta.get('err') or meta.get('status')}")


def _call(what: str, call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except (LXDAPIException, OSError) as error:
        raise DriverError("hypervisor", f"cannot {what}: {error}") from None


def _volumes(client, pool: str):
    return client.api["storage-pools"][pool].volumes.custom


def volume_exists(client, pool: str, name: str) -> bool:
    try:
        _volumes(client, pool)[name].get()
    except (LXDAPIException, OSError) as error:
        if getattr(getattr(error, "response", None), "status_code", None) == 404:
            return False
        raise DriverError("hypervisor", f"cannot look up volume {pool}/{name}: {error}") from None
    return True


def _vm_refused(host: str, text: str) -> str:
    return f"LXD on {host} cannot run virtual machines: {text}"


def check_new_volumes(client, plan: dict) -> None:
    """Refuse, before anything is recorded or made, a custom volume whose name is taken (see compose_records)."""
    for vol in plan["volumes"]:
        if volume_exists(client, vol["pool"], vol["name"]):
            raise DriverError(
                "hypervisor",
                f"volume {vol['pool']}/{vol['name']} already exists and is not instance {plan['name']!r}'s; remove "
                f"or rename it, vm_compose never overwrites a volume",
            )


def create(client, plan: dict, host: str, reached=lambda point: None) -> None:
    """Create the plan's custom volumes, then the instance; on any failure remove what was made and re-raise.

    ``reached`` is told each step done ("volume_made", "instance_created"): the fault tests stop the job there.
    """
    name = plan["name"]
    made = []
    try:
        for vol in plan["volumes"]:
            body = {
                "name": vol["name"],
                "type": "custom",
                "content_type": vol["content_type"],
                "config": {"size": f"{vol['size']}B"},
            }
            response = _call(
                f"create volume {vol['pool']}/{vol['name']}", _volumes(client, vol["pool"]).post, json=body
            )
            made.append({"pool": vol["pool"], "name": vol["name"]})
            wait(client, response, f"create volume {vol['pool']}/{vol['name']}")
            reached("volume_made")
        response = _call(f"create instance {name!r}", client.api.instances.post, json=plan["body"])
        wait(client, response, f"create instance {name!r}")
        reached("instance_created")
    except DriverError as error:
        failure = error
        if "virtual-machine" in error.message and "not supported" in error.message:
            failure = DriverError("hypervisor", _vm_refused(host, error.message))
        try:
            remove_instance(client, name, made)
        except DriverError as undo:
            # the rollback failed too (the daemon went away): say both, and hand what is left to the caller
            raise DriverError(
                failure.kind, f"{failure.message}; removing what was made failed: {undo.message}", left=made
            ) from None
        raise failure from None


def instance_exists(client, name: str) -> bool:
    try:
        client.api.instances[name].get()
    except (LXDAPIException, OSError) as error:
        if getattr(getattr(error, "response", None), "status_code", None) == 404:
            return False
        raise DriverError("hypervisor", f"cannot look up instance {name!r}: {error}") from None
    return True


def instance(client, name: str) -> dict:
    response = _call(f"read instance {name!r}", client.api.instances[name].get)
    return response.json()["metadata"]


def update_config(client, name: str, changes: dict) -> None:
    """Set (or, for None, remove) instance config keys; LXD applies limits to a running container at once."""
    current = instance(client, name)
    config = dict(current["config"])
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    if config == current["config"]:
        return
    response = _call(f"update instance {name!r}", client.api.instances[name].patch, json={"config": config})
    wait(client, response, f"update instance {name!r}")


def grow_disk(client, name: str, pool: str, volume: str, size: int, device: str) -> None:
    """Grow the root disk (its device's size) or a custom volume; never shrinks (the caller checked)."""
    current = instance(client, name)
    dev = (current.get("devices") or {}).get(device) or {}
    if dev.get("path") == "/" and not dev.get("source"):
        devices = dict(current["devices"])
        devices[device] = dict(dev, size=f"{size}B")
        response = _call(f"grow the root disk of {name!r}", client.api.instances[name].patch, json={"devices": devices})
        wait(client, response, f"grow the root disk of {name!r}")
        return
    what = f"grow volume {pool}/{volume}"
    response = _call(what, _volumes(client, pool)[volume].patch, json={"config": {"size": f"{size}B"}})
    wait(client, response, what)


def status(client, name: str) -> str:
    return (instance(client, name).get("status") or "").lower()


def _state(client, name: str, action: str, **extra) -> None:
    what = f"{action} instance {name!r}"
    response = _call(what, client.api.instances[name].state.put, json=dict(action=action, **extra))
    wait(client, response, what)


def power(client, name: str, action: str, shutdown_timeout: float) -> dict:
    """start, stop (clean shutdown, forced after the timeout) or restart; reports what happened."""
    report = {"started": False, "stopped": False, "forced_off": False}
    if action in ("stop", "restart") and status(client, name) != "stopped":
        try:
            _state(client, name, "stop", timeout=int(shutdown_timeout), force=False)
        except DriverError:
            if status(client, name) == "stopped":
                pass  # stopped while we asked
            else:
                _state(client, name, "stop", timeout=-1, force=True)  # the guest ignored the shutdown
                report["forced_off"] = True
        report["stopped"] = True
    if action in ("start", "restart") and status(client, name) != "running":
        _state(client, name, "start", timeout=-1)
        report["started"] = True
    return report


def check_alias(client, alias: str, kind: str) -> None:
    """The image alias exists in the project and holds an image of the instance type; else a SpecError."""
    try:
        found = client.api.images.aliases[quote(alias, safe="")].get().json()["metadata"]
    except (LXDAPIException, OSError) as error:
        if getattr(getattr(error, "response", None), "status_code", None) == 404:
            raise SpecError(
                "image.alias", alias, "is not an image alias on this LXD host (see `lxc image alias list`)"
            ) from None
        raise DriverError("hypervisor", f"cannot look up image alias {alias!r}: {error}") from None
    image_type = found.get("type") or "container"
    if image_type != kind:
        raise SpecError("image.alias", alias, f"is a {image_type} image; instance_type: {kind} needs a {kind} image")


def why_no_vms(address: str) -> str:
    """Why LXD offers no qemu driver, as far as can be told from here (the kernel is ours on a local socket)."""
    if address.startswith(("http+unix://", "/", "unix:")):
        if not os.path.exists("/dev/kvm"):
            return "/dev/kvm is missing"
        if not os.path.exists("/dev/vhost-vsock") and not os.path.exists("/sys/module/vhost_vsock"):
            return "vhost_vsock kernel module not loaded"
    return "the qemu driver is not available (the LXD daemon's log says why)"
