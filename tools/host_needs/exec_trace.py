"""Records every command a Python process of the test run starts, for check.py --trace.

Installed into the virtual environment as ``vmfleet_exec_trace`` with a ``.pth`` line that imports it, so
pytest, ansible-playbook, the modules it runs under the venv's interpreter, molecule and ansible-lint are all
traced. It does nothing unless VMFLEET_EXEC_LOG names the log. An audit hook sees the process start itself
(``subprocess.Popen``, ``os.exec*``, ``os.posix_spawn``), whatever built the argument list.
"""

from __future__ import annotations

import os
import sys

_EVENTS = {"subprocess.Popen": 0, "os.exec": 0, "os.posix_spawn": 0, "os.spawn": 1}


def _command(event: str, args: tuple) -> str | None:
    executable = args[_EVENTS[event]]
    argv = args[_EVENTS[event] + 1] if len(args) > _EVENTS[event] + 1 else None
    if event == "subprocess.Popen" and executable is None:
        if isinstance(argv, (list, tuple)) and argv:
            executable = argv[0]
        elif isinstance(argv, (str, bytes)):
            executable = argv.split()[0] if argv.split() else None
    if isinstance(executable, bytes):
        executable = os.fsdecode(executable)
    return str(executable) if executable else None


def _hook(log: str):
    def hook(event: str, args: tuple) -> None:
        if event not in _EVENTS:
            return
        try:
            # read here, not at install: a .pth runs before sys.argv is set
            argv = getattr(sys, "argv", None)
            by = os.path.basename(argv[0]) if argv and argv[0] else "python"
            command = _command(event, args)
            if command:
                with open(log, "a", encoding="utf-8") as out:
                    out.write(f"{command}\t{by}\n")
        except Exception:  # noqa: BLE001 - a trace must never break the process it watches
            pass

    return hook


def install() -> None:
    log = os.environ.get("VMFLEET_EXEC_LOG")
    if log:
        sys.addaudithook(_hook(log))


install()
