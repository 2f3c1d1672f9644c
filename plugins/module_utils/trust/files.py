# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writing the client key and certificate: atomically, the key never readable by others, not even for a moment.

Each file is written to a temporary file in the same directory, created with its final mode (0600 for a key,
0644 for a certificate) by os.open, flushed to disk and renamed over the target, so a reader sees the old file or
the whole new one. A missing parent directory is created 0700.
"""

from __future__ import annotations

import os
import tempfile

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import MISSING, SpecError

KEY_MODE = 0o600
CERT_MODE = 0o644
DIR_MODE = 0o700


def ensure_parent(path: str) -> bool:
    """Create the parent directory (0700) when missing; True when it was created."""
    parent = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(parent):
        return False
    os.makedirs(parent, mode=DIR_MODE)
    os.chmod(parent, DIR_MODE)  # makedirs' mode is filtered by the umask
    return True


def write_atomic(path: str, data: bytes, mode: int) -> None:
    parent = os.path.dirname(os.path.abspath(path))
    ensure_parent(path)
    # mkstemp creates the file 0600 with O_EXCL; a certificate is widened to 0644 only after it is complete
    handle, temporary = tempfile.mkstemp(prefix=".vmfleet-", dir=parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def write_key(path: str, data: bytes) -> None:
    write_atomic(path, data, KEY_MODE)


def write_cert(path: str, data: bytes) -> None:
    write_atomic(path, data, CERT_MODE)


def read_file(path: str, option: str) -> bytes:
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError as error:
        raise SpecError(option, MISSING, f"cannot be read from {path}: {error.strerror}") from None
