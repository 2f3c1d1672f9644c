# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check that an execution environment's Python requirements are exactly what the collection's plugins import.

Usage: ee_imports.py PLUGINS_DIR REQUIREMENTS_TXT  (run with the Python of a venv built from those requirements)

Every third-party top-level import under PLUGINS_DIR must come from a distribution named in REQUIREMENTS_TXT, and
every distribution named there must be imported by some plugin. Exit 1 naming each mismatch. Imports are read
with ast, so names in docstrings and comments do not count; the installed distributions say which import name
each one provides (libvirt comes from libvirt-python), which is why this runs inside the venv.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

# Provided by the EE's ansible-core itself, or the collection's own code. yaml (PyYAML) is an ansible-core
# dependency, and ansible-builder drops it from collection requirements as "already present in image".
OWN = {"__future__", "ansible", "ansible_collections", "yaml"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_top_levels(plugins: Path) -> dict[str, set[str]]:
    """Top-level names of absolute imports, each with the files that import it."""
    found: dict[str, set[str]] = {}
    for path in sorted(plugins.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".", 1)[0]
                if top not in OWN and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(plugins)))
    return found


def declared(requirements: Path) -> set[str]:
    names = set()
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(canonical(re.split(r"[\s<>=!~;\[]", line, maxsplit=1)[0]))
    return names


def main(plugins: Path, requirements: Path) -> int:
    providers = packages_distributions()
    wanted = declared(requirements)
    problems = []
    used = set()
    for top, files in sorted(imported_top_levels(plugins).items()):
        dists = {canonical(d) for d in providers.get(top, [])}
        if not dists:
            problems.append(f"{top} (imported by {', '.join(sorted(files))}) is installed by no distribution here")
        elif not dists & wanted:
            problems.append(
                f"{top} (imported by {', '.join(sorted(files))}) comes from {', '.join(sorted(dists))}, "
                f"which the requirements do not name"
            )
        else:
            used |= dists & wanted
            print(f"import {top}: {', '.join(sorted(dists & wanted))}")
    problems += [f"{name} is a requirement but no plugin imports it" for name in sorted(wanted - used)]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
