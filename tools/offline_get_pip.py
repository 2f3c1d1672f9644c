#!/usr/bin/env python
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for ansible-test's pip bootstrap script, for machines that reach PyPI but not ansible's file host.

`ansible-test sanity --venv` downloads get-pip.py from ci-files.testing.ansible.com into
~/.ansible/test/cache/ and runs it in each new virtual environment; ansible-test's own error message says the
script may be saved there by hand. This one seeds pip from the interpreter's bundled wheel (ensurepip) and then
lets pip install the packages ansible-test asked for (pip itself, pinned) from the package index.
The Makefile copies it into the cache before sanity runs.
"""

import ensurepip
import subprocess
import sys

# get-pip.py options that `pip install` does not know
_GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")


def main():
    ensurepip.bootstrap()
    args = [arg for arg in sys.argv[1:] if arg not in _GET_PIP_ONLY]
    return subprocess.call([sys.executable, "-m", "pip", "install"] + args)


if __name__ == "__main__":
    sys.exit(main())
