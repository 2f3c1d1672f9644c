"""Fails when this repository needs a command or file that the Makefile's Debian packages do not provide.

A green run on a machine where someone installed a package by hand proves nothing for a fresh machine. So
every need (commands the code, tools, tests and Makefile run, read from their text; the declared needs of the
programs they start; and, with --trace, every command the test run really started) is resolved to the file on
this machine, its owning Debian package, and checked against what installing APT_PACKAGES brings (their
Depends, Pre-Depends and Recommends, as apt installs them) plus Debian's Essential and required packages.
Conversely every APT_PACKAGES entry must bring something a need uses, so none is there without a reason.

    python tools/host_needs/check.py --packages "$(APT_PACKAGES)" [--trace FILE] [--venv DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import debian  # noqa: E402
import declared  # noqa: E402
import python_commands  # noqa: E402
import shell_commands  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PYTHON_DIRS = ("plugins", "tests", "tools", "bench", "extensions")
SKIP_DIRS = {".venv", ".build", ".git", "__pycache__", "output"}
# Programs made during the run (pytest's and Ansible's temporary files, venvs a test builds) are not the
# machine's: only what is found elsewhere needs a package.
RUN_TIME_DIRS = ("/tmp/", "/var/tmp/", os.path.expanduser("~/.ansible/tmp/"))


@dataclass(frozen=True)
class Need:
    what: str  # a command name, or an absolute path
    where: str  # who needs it: file:line, or the declared reason


def _files(suffix: str, dirs: tuple[str, ...]) -> list[Path]:
    found = []
    for top in dirs:
        for path in sorted((REPO / top).rglob(f"*{suffix}")):
            if not SKIP_DIRS.intersection(path.relative_to(REPO).parts):
                found.append(path)
    return found


def static_needs(venv: Path) -> list[Need]:
    needs = []
    for path in _files(".py", PYTHON_DIRS):
        rel = path.relative_to(REPO)
        for line, command in python_commands.commands_in(path.read_text(encoding="utf-8"), str(rel)):
            needs.append(Need(command, f"{rel}:{line}"))
    for path in _files(".sh", ("tools", "tests", "extensions", ".ci")) + [REPO / ".ci" / "run"]:
        rel = path.relative_to(REPO)
        for line, command in shell_commands.commands_in(path.read_text(encoding="utf-8")):
            needs.append(Need(command, f"{rel}:{line}"))
    variables = {"BIN": str(venv / "bin"), "PYTHON": declared.SYSTEM_PYTHON, "MAKE": "make"}
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for line, command in shell_commands.makefile_commands(makefile, variables):
        needs.append(Need(command, f"Makefile:{line}"))
    needs += [Need(command, why) for command, why in declared.COMMANDS.items()]
    needs += [Need(path, why) for path, why in declared.FILES.items()]
    return needs


def traced_needs(trace: Path) -> list[Need]:
    """Commands the run started, one per line: ``command<TAB>the program that started it``."""
    needs = []
    if trace.exists():
        for line in trace.read_text(encoding="utf-8", errors="replace").splitlines():
            command, _tab, by = line.partition("\t")
            if command:
                needs.append(Need(command, f"{by or 'a Python process'}, which started it (traced)"))
    return needs


def _locate(what: str, path: str) -> str | None:
    if what.startswith("/"):
        return what if os.path.exists(what) else None
    return shutil.which(what, path=path)


def check(needs: list[Need], apt_packages: list[str], packages: debian.Packages, venv: Path) -> list[str]:
    """Every problem as one sentence naming the command or file, who needs it, and the package."""
    problems = []
    unknown = [name for name in apt_packages if name not in packages.installed]
    problems += [f"APT_PACKAGES names {name}, which is not installed on this machine" for name in unknown]
    given = packages.closure(packages.base())
    wanted = [name for name in apt_packages if name not in unknown]
    brought = packages.closure(set(wanted))
    # each entry's own closure, so an entry counts as used when anything it brings is needed, even where
    # another entry brings the same package too
    brings = {name: packages.closure({name}) for name in wanted}
    used_roots: set[str] = set()
    search_path = os.environ.get("PATH", "")
    venv_prefix = str(venv.resolve()) + os.sep
    seen: set[str] = set()
    for need in needs:
        if need.what in seen or os.path.basename(need.what) in declared.OPTIONAL:
            continue
        seen.add(need.what)
        located = _locate(need.what, search_path)
        if located is None:
            problems.append(f"{need.what} (needed by {need.where}) is not on this machine")
            continue
        if located.startswith(venv_prefix) or os.path.realpath(located).startswith(venv_prefix):
            continue  # a Python tool of the virtual environment (requirements/dev.txt)
        if located.startswith((str(REPO) + os.sep, *RUN_TIME_DIRS)):
            continue  # this repository's own scripts (or their copy under .build), or made by the run
        owner = packages.owner(located)
        if owner is None:
            problems.append(
                f"{need.what} (needed by {need.where}) is {located}, which no Debian package installed: "
                "a fresh machine may not have it; install it through the Makefile (APT_PACKAGES or the venv)"
            )
        elif owner in brought:
            used_roots.update(name for name in wanted if owner in brings[name])
        elif owner not in given:
            problems.append(
                f"{need.what} (needed by {need.where}) comes from the Debian package {owner}, which neither "
                f"APT_PACKAGES nor what they depend on installs: add {owner} to APT_PACKAGES in the Makefile"
            )
    for name in wanted:
        if name not in used_roots:
            problems.append(
                f"APT_PACKAGES installs {name}, but no command or file that the checker knows is needed comes "
                "from it: name the need in tools/host_needs/declared.py, or drop the package"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", required=True, help="the Makefile's APT_PACKAGES, space separated")
    parser.add_argument("--trace", type=Path, help="commands a test run started (tools/host_needs/exec_trace.py)")
    parser.add_argument("--venv", type=Path, default=REPO / ".venv")
    args = parser.parse_args(argv)
    apt_packages = args.packages.split()
    needs = static_needs(args.venv) + (traced_needs(args.trace) if args.trace else [])
    problems = check(needs, apt_packages, debian.Packages.from_machine(), args.venv)
    for problem in problems:
        print(f"host needs: {problem}", file=sys.stderr)
    if problems:
        return 1
    distinct = len({need.what for need in needs})
    print(f"host needs: {distinct} commands and files, all from APT_PACKAGES or Debian's base")
    return 0


if __name__ == "__main__":
    sys.exit(main())
