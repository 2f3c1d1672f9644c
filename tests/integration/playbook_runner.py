# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs short playbooks against the installed collection and hands back the registered results.

The collection is found through ANSIBLE_COLLECTIONS_PATH (``make integration`` exports it, pointing at the copy
under .build). Each call runs one play on localhost; the registered results are written to a JSON file by the
playbook itself, since ansible-core 2.19 no longer ships a json stdout callback (it moved to ansible.posix, which
the project does not install).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")


def playbook_env() -> dict:
    env = dict(os.environ)
    env.update(
        ANSIBLE_STDOUT_CALLBACK="default",
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
    )
    return env


def run_playbook(
    playbook: Path, *args: str, cwd: Path | None = None, timeout: int = 120
) -> subprocess.CompletedProcess:
    if not os.environ.get("ANSIBLE_COLLECTIONS_PATH"):
        pytest.fail("ANSIBLE_COLLECTIONS_PATH is not set; run through `make integration` (it installs the collection)")
    return subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", str(playbook), *args],
        cwd=str(cwd or playbook.parent),
        env=playbook_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def play(
    tmp_path: Path, tasks: list, *args: str, timeout: int = 120, module_defaults: dict | None = None
) -> tuple[dict, subprocess.CompletedProcess]:
    """Run `tasks` in a localhost play; return {task name: registered result} and the process.

    Every task is registered; a last task (run in check mode too) writes all results to results.json.
    """
    playbook, results_file = write_play(tmp_path, tasks, module_defaults)
    proc = run_playbook(playbook, *args, timeout=timeout)
    return read_results(results_file), proc


def start_play(tmp_path: Path, tasks: list, module_defaults: dict | None = None):
    """Start `tasks` as play() runs them, without waiting; returns the process and the results file."""
    playbook, results_file = write_play(tmp_path, tasks, module_defaults)
    proc = subprocess.Popen(
        [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", str(playbook)],
        cwd=str(playbook.parent),
        env=playbook_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return proc, results_file


def read_results(results_file: Path) -> dict:
    return json.loads(results_file.read_text()) if results_file.exists() else {}


def write_play(tmp_path: Path, tasks: list, module_defaults: dict | None = None) -> tuple[Path, Path]:
    results_file = tmp_path / "results.json"
    results_file.unlink(missing_ok=True)  # a results file is only ever this play's
    tasks = [{**task, "register": f"result_{index}"} for index, task in enumerate(tasks)]
    collected = ", ".join(f"{json.dumps(task['name'])}: result_{index}" for index, task in enumerate(tasks))
    tasks.append(
        {
            "name": "Save the results",
            "ansible.builtin.copy": {"content": "{{ {" + collected + "} | to_json }}", "dest": str(results_file)},
            "check_mode": False,
        }
    )
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        yaml.safe_dump(
            [
                {
                    "name": "vmfleet.hosts integration",
                    "hosts": "localhost",
                    "connection": "local",
                    "gather_facts": False,
                    "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
                    "module_defaults": module_defaults or {},
                    "tasks": tasks,
                }
            ],
            sort_keys=False,
        )
    )
    return playbook, results_file
