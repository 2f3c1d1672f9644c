"""docs/troubleshooting.md covers every error kind and capacity resource a module can fail with.

The kinds and resources are collected from the code itself (the AST of plugins/), not from a list kept here, so
a new ``DriverError("x", ...)``, ``fail_json(..., kind="x")`` or ``CapacityError(host, "x", ...)`` fails this test
until the page explains it; a page section for a kind the code no longer has fails it too.
"""

import ast
import re
from pathlib import Path

from ansible_collections.vmfleet.hosts.plugins.module_utils.drivers.errors import KINDS

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "troubleshooting.md"


def _trees():
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _strings(node) -> set:
    """The string constants an argument can evaluate to (a constant, or both arms of a conditional)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def raised_kinds() -> dict:
    """kind -> where it is raised or returned, from DriverError(...), kind=... and {"kind": ...} in plugins/."""
    found = {}
    for path, tree in _trees():
        for node in ast.walk(tree):
            values = set()
            if isinstance(node, ast.Call):
                if _callee(node) == "DriverError" and node.args:
                    values |= _strings(node.args[0])
                values |= {v for kw in node.keywords if kw.arg == "kind" for v in _strings(kw.value)}
            elif isinstance(node, ast.Dict):
                values |= {
                    v for k, val in zip(node.keys, node.values) if _strings(k) == {"kind"} for v in _strings(val)
                }
            for value in values:
                found.setdefault(value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def capacity_resources() -> dict:
    """resource -> where a CapacityError names it (its second argument, or resource=)."""
    found = {}
    for path, tree in _trees():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _callee(node) == "CapacityError"):
                continue
            arg = (
                node.args[1]
                if len(node.args) > 1
                else next((k.value for k in node.keywords if k.arg == "resource"), None)
            )
            for value in _strings(arg):
                found.setdefault(value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def documented_kinds() -> set:
    return set(re.findall(r"^### `([a-z_]+)`$", page(), flags=re.MULTILINE))


def documented_resources() -> set:
    section = page().split("## Capacity refused", 1)[1].split("\n## ", 1)[0]
    body = section.split("| --- |", 1)[1]  # the rows, not the header
    return set(re.findall(r"^\| `([a-z_]+)` \|", body, flags=re.MULTILINE))


def test_the_collector_sees_the_code():
    # guards against a collector that silently finds nothing and so passes everything
    kinds, resources = raised_kinds(), capacity_resources()
    assert {"missing_binding", "unreachable", "lock_timeout", "hypervisor"} <= set(kinds)
    assert {"cpu", "memory", "hugepages", "storage"} <= set(resources)


def test_every_kind_in_the_code_is_a_declared_kind():
    unknown = {kind: where for kind, where in raised_kinds().items() if kind not in KINDS}
    assert not unknown, f"kinds raised or returned but not in drivers/errors.py KINDS: {unknown}"


def test_every_kind_has_a_section_in_troubleshooting():
    missing = (set(KINDS) | set(raised_kinds())) - documented_kinds()
    assert not missing, f"docs/troubleshooting.md has no '### `kind`' section for: {sorted(missing)}"


def test_troubleshooting_documents_no_kind_the_code_lacks():
    stale = documented_kinds() - set(KINDS)
    assert not stale, f"docs/troubleshooting.md explains kinds the code no longer has: {sorted(stale)}"


def test_every_capacity_resource_has_a_row_in_troubleshooting():
    resources = capacity_resources()
    missing = {name: where for name, where in resources.items() if name not in documented_resources()}
    assert not missing, f"docs/troubleshooting.md's capacity table lacks: {missing}"
    stale = documented_resources() - set(resources)
    assert not stale, f"docs/troubleshooting.md's capacity table names resources the code lacks: {sorted(stale)}"
