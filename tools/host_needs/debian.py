"""What the Debian packages on this machine provide: who owns a file, and what installing a list of
packages brings with it (read from dpkg's own database; nothing is installed or changed)."""

from __future__ import annotations

import os
import re
from pathlib import Path

DPKG = Path("/var/lib/dpkg")
# The directories merged /usr joins: a package may list /bin/x while the machine resolves /usr/bin/x.
MERGED = (("/usr/bin/", "/bin/"), ("/usr/sbin/", "/sbin/"), ("/usr/lib/", "/lib/"))


def parse_status(text: str) -> dict[str, dict[str, str]]:
    """Installed packages (name without architecture) -> their control fields."""
    packages: dict[str, dict[str, str]] = {}
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += " " + line.strip()
            elif ":" in line:
                key, _colon, value = line.partition(":")
                fields[key] = value.strip()
        if fields.get("Package") and fields.get("Status", "").endswith(" installed"):
            packages[fields["Package"]] = fields
    return packages


def _alternatives(field: str) -> list[list[str]]:
    """A Depends-like field as groups of alternative package names (versions and architectures dropped)."""
    groups = []
    for group in field.split(","):
        names = [re.split(r"[\s(:\[]", alt.strip(), maxsplit=1)[0] for alt in group.split("|")]
        names = [name for name in names if name]
        if names:
            groups.append(names)
    return groups


class Packages:
    def __init__(self, installed: dict[str, dict[str, str]], lists: dict[str, list[str]]):
        self.installed = installed
        self.providers: dict[str, list[str]] = {}
        for name, fields in installed.items():
            for group in _alternatives(fields.get("Provides", "")):
                self.providers.setdefault(group[0], []).append(name)
        self.owner_of: dict[str, str] = {}
        for package, paths in lists.items():
            for path in paths:
                self.owner_of.setdefault(path, package)

    @classmethod
    def from_machine(cls, root: Path = DPKG) -> Packages:
        installed = parse_status((root / "status").read_text(encoding="utf-8", errors="replace"))
        lists = {}
        for path in (root / "info").glob("*.list"):
            package = path.name[: -len(".list")].split(":", 1)[0]
            lists[package] = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return cls(installed, lists)

    def base(self) -> set[str]:
        """What every Debian machine has before anything is asked for: Essential and required packages."""
        return {
            name
            for name, fields in self.installed.items()
            if fields.get("Essential") == "yes" or fields.get("Priority") == "required"
        }

    def _installed_choice(self, names: list[str]) -> str | None:
        # apt takes the first alternative it can; on a machine that has it, that is the first one installed
        for name in names:
            if name in self.installed:
                return name
            for provider in sorted(self.providers.get(name, ())):
                return provider
        return None

    def closure(self, roots: set[str]) -> dict[str, str]:
        """Every installed package that installing ``roots`` brings (Depends, Pre-Depends and, as apt does by
        default, Recommends), each with the root that brought it."""
        brought: dict[str, str] = {}
        stack = [(name, name) for name in sorted(roots)]
        while stack:
            name, root = stack.pop()
            choice = name if name in self.installed else self._installed_choice([name])
            if choice is None or choice in brought:
                continue
            brought[choice] = root
            fields = self.installed[choice]
            for key in ("Pre-Depends", "Depends", "Recommends"):
                for group in _alternatives(fields.get(key, "")):
                    picked = self._installed_choice(group)
                    if picked and picked not in brought:
                        stack.append((picked, root))
        return brought

    def owner(self, path: str) -> str | None:
        """The package that owns a file, found by the path as given, as resolved, or across merged /usr."""
        candidates = [path, os.path.realpath(path)]
        for candidate in list(candidates):
            for usr, bare in MERGED:
                if candidate.startswith(usr):
                    candidates.append(bare + candidate[len(usr) :])
                elif candidate.startswith(bare):
                    candidates.append(usr + candidate[len(bare) :])
        for candidate in candidates:
            if candidate in self.owner_of:
                return self.owner_of[candidate]
        return None
