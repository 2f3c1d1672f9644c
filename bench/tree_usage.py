"""Wall time and peak memory of a whole process tree (a command and every process it starts), read from /proc.

``/usr/bin/time -v`` reports the largest single process only, while ansible-playbook forks a worker per task
(and a module runs in processes of its own), so the bench polls /proc instead: every few milliseconds it finds
the command's descendants (by parent pid) and sums their resident memory. Two sums are kept: RSS (counts a page
shared by a fork and its parent twice, so it is the pessimistic figure) and PSS (shares such pages out, so it is
what the tree really costs the machine). A process that lives shorter than the poll interval is missed; the
ones that matter here (the main process, workers holding the plan) live for seconds.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time

POLL_SECONDS = 0.02


def _children_map() -> dict:
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name may hold spaces or parentheses: the fields after the last ')' are fixed
        fields = stat[stat.rindex(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def _tree(root: int) -> list:
    children, found, todo = _children_map(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _kib(path: str, key: bytes) -> int:
    try:
        with open(path, "rb") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(argv: list, **popen) -> dict:
    """Run ``argv`` to its end; return wall seconds, return code, output and the tree's peak RSS/PSS in MiB."""
    peak = {"rss": 0, "pss": 0, "processes": 0}
    done = threading.Event()

    def poll(root):
        while not done.is_set():
            pids = _tree(root)
            rss = sum(_kib(f"/proc/{pid}/status", b"VmRSS:") for pid in pids)
            pss = sum(_kib(f"/proc/{pid}/smaps_rollup", b"Pss:") for pid in pids)
            peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)
            peak["processes"] = max(peak["processes"], len(pids))
            done.wait(POLL_SECONDS)

    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen)
    watcher = threading.Thread(target=poll, args=(proc.pid,), daemon=True)
    watcher.start()
    output = proc.communicate()[0]
    wall = time.perf_counter() - start
    done.set()
    watcher.join()
    return {
        "seconds": wall,
        "rc": proc.returncode,
        "output": output,
        "rss_mib": peak["rss"] / 1024,
        "pss_mib": peak["pss"] / 1024,
        "processes": peak["processes"],
    }
