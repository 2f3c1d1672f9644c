# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Making a dir storage pool while another job on the same libvirtd may be making the same one.

One libvirtd reached two ways (locally and over qemu+ssh) is two VM hosts of a fleet, and a fleet run prepares
its hosts in parallel: both jobs may make the vmfleet pool, or the same default storage pool, at once. libvirt
defines a pool name only once, but defining, building and starting are separate calls, so the second job can fail
to define a pool the first has just defined, or find it defined and not started yet. The pool the first job makes
is the one both want: a failed step is followed by a fresh look, a few times, before it counts as an error.
"""

from __future__ import annotations

import time

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.libvirt.connection import error_code, libvirt

TRIES = 10
PAUSE = 0.3  # seconds between two looks: the other job's define, build and start take a fraction of it


def lookup(conn, name: str):
    """The pool, or None when libvirt has no pool of that name (other errors are raised)."""
    try:
        return conn.storagePoolLookupByName(name)
    except libvirt.libvirtError as error:
        if error_code(error) == libvirt.VIR_ERR_NO_STORAGE_POOL:
            return None
        raise


def start(pool) -> None:
    """Start an inactive pool; another job starting it at the same moment is no failure."""
    if pool.isActive():
        return
    try:
        pool.create(0)
    except libvirt.libvirtError:
        if not pool.isActive():
            raise


def make_dir_pool(conn, name: str, xml: str):
    """The started pool ``name``: looked up, else defined from ``xml``, built, started and autostarted.

    Raises the last libvirtError when the pool cannot be made (the caller words it).
    """
    for attempt in range(TRIES):
        try:
            pool = lookup(conn, name)
            if pool is None:
                pool = conn.storagePoolDefineXML(xml, 0)
                pool.build(0)
                pool.create(0)
                pool.setAutostart(1)
            else:
                start(pool)
            return pool
        except libvirt.libvirtError:
            if attempt + 1 == TRIES:
                raise
            time.sleep(PAUSE)  # another job may be half-way through making it: look again
    raise AssertionError("unreachable")  # pragma: no cover
