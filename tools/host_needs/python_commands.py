"""The commands Python code runs, read from its syntax tree (nothing is imported or executed).

Found: the first element of a literal argument list given to ``subprocess`` functions or to Ansible's
``module.run_command``, the first word of a literal command string given to them, and the names passed to
``shutil.which`` / ``module.get_bin_path``. An argument list built at run time is not seen here; the run-time
trace (exec_trace.py) sees what really ran.
"""

from __future__ import annotations

import ast

RUNNERS = frozenset({"run", "call", "check_call", "check_output", "Popen", "run_command"})
LOOKUPS = frozenset({"which", "get_bin_path"})


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _first_word(node: ast.AST) -> str | None:
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        head = node.elts[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return head.value
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        words = node.value.split()
        return words[0] if words else None
    return None


def commands_in(source: str, filename: str = "<python>") -> list[tuple[int, str]]:
    """(line number, command) for every command the source names in a call that runs or looks one up."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = _callee(node)
        if name in RUNNERS:
            # subprocess.run is also an attribute of other things (asyncio loops, ...): a command list or
            # string as first argument is what marks it as a process being started
            word = _first_word(node.args[0])
        elif name in LOOKUPS:
            word = _first_word(node.args[0]) if isinstance(node.args[0], ast.Constant) else None
        else:
            continue
        if word:
            found.append((node.lineno, word))
    return found
