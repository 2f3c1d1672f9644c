"""Processes that start an operation at the same instant, for the lock races of the integration tests."""

from __future__ import annotations

import multiprocessing
import time


def run_from_start_line(target, args_each: list[tuple], settle: float) -> list:
    """Start ``target(*args, start, out)`` once per entry of ``args_each`` in its own process, give them
    ``settle`` seconds to open their connections and wait at the start line, release them together and
    return what each put on ``out``."""
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    processes = [ctx.Process(target=target, args=(*args, start, out)) for args in args_each]
    for process in processes:
        process.start()
    time.sleep(settle)
    start.set()
    results = [out.get(timeout=120) for _process in processes]
    for process in processes:
        process.join(30)
    return results
