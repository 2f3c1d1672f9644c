# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key and certificate files: modes, atomic replacement, parent directory 0700, a pair planned or refused."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import SpecError
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust import files
from ansible_collections.vmfleet.hosts.plugins.module_utils.trust.client_pair import load_or_plan


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_modes_and_new_parent(tmp_path):
    key = tmp_path / "new" / "dir" / "client.key"
    cert = tmp_path / "new" / "dir" / "client.crt"
    old = os.umask(0)
    try:
        files.write_key(str(key), b"key")
        files.write_cert(str(cert), b"cert")
    finally:
        os.umask(old)
    assert mode(key) == 0o600
    assert mode(cert) == 0o644
    assert mode(key.parent) == 0o700
    assert sorted(p.name for p in key.parent.iterdir()) == ["client.crt", "client.key"]  # no temporary left


def test_replacement_is_whole(tmp_path):
    path = tmp_path / "client.key"
    files.write_key(str(path), b"old")
    files.write_key(str(path), b"new")
    assert path.read_bytes() == b"new"
    assert mode(path) == 0o600


def params(tmp_path, **extra):
    return {"client_cert": str(tmp_path / "c.crt"), "client_key": str(tmp_path / "c.key"), **extra}


def test_planned_pair_is_written_and_then_taken_as_is(tmp_path):
    pair = load_or_plan(params(tmp_path, key_type="ec", common_name="vmfleet@unit", validity_days=5))
    assert pair.generated and not pair.on_disk
    pair.write()
    assert pair.on_disk
    again = load_or_plan(params(tmp_path))
    assert not again.generated
    assert again.fingerprint == pair.fingerprint


def test_check_mode_plans_without_generating(tmp_path):
    pair = load_or_plan(params(tmp_path), generate=False)
    assert pair.generated and pair.cert is None and pair.fingerprint is None


def test_a_lone_file_is_not_overwritten(tmp_path):
    (tmp_path / "c.key").write_bytes(b"someone's key")
    with pytest.raises(SpecError, match="^client_cert does not exist .* while client_key does"):
        load_or_plan(params(tmp_path))
    assert (tmp_path / "c.key").read_bytes() == b"someone's key"


def test_paths_are_required_and_distinct(tmp_path):
    with pytest.raises(SpecError, match="^client_cert is required by lxd_trust"):
        load_or_plan({"client_cert": None, "client_key": str(tmp_path / "k")})
    with pytest.raises(SpecError, match="is the same file as client_cert"):
        load_or_plan({"client_cert": str(tmp_path / "x"), "client_key": str(tmp_path / "x")})


def test_options_for_another_key_type_are_refused(tmp_path):
    with pytest.raises(SpecError, match="^key_size: 2048 applies to key_type=rsa only"):
        load_or_plan(params(tmp_path, key_type="ec", key_size=2048))
    with pytest.raises(SpecError, match="^curve: 'secp256r1' applies to key_type=ec only"):
        load_or_plan(params(tmp_path, key_type="rsa", curve="secp256r1"))
    with pytest.raises(SpecError, match="^validity_days: 0 is not a validity"):
        load_or_plan(params(tmp_path, validity_days=0))
