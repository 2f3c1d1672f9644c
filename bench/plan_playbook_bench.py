"""vm_plan where users pay for it: the core next to the paths that call it, side by side (`make bench`).

For each fleet size (hosts x requests, the inputs of plan_bench.py's seeded generator) one run prints:

- core: ``parse_requests`` + ``plan()`` in this process, without the whole host records (what the task returns
  by default), best of 3 up to 10,000 requests: the floor every path pays;
- controller: what the action plugin does on the controller (option checks, the core, the compact result),
  in this process, without Ansible;
- module: the module file run alone as Ansible would run it (``python -m ...modules.vm_plan args.json``, its
  argument spec and ``exit_json``), for comparison with the path playbooks no longer take;
- playbook: ``ansible-playbook`` end to end, the result registered and used by a later task, in three shapes:
  the fleet read by vm_plan itself (``hosts_file``/``requests_file``: a JSON file as an earlier vm_host_info
  run dumps it), the same with ``placement_detail: host`` (placements of name and host only), and the Ansible way
  any module is fed (``vars_files``, options templated from the variables;
  Ansible parses a vars file again for every task and tags every value, which vm_plan cannot change); wall
  time and the peak memory of the whole process tree (tree_usage.py: RSS summed over ansible-playbook and its
  workers, and PSS);

each with its ratio to the core. Benchmarks print; nothing here fails on time. Set PLAN_BENCH_HUGE=0 to skip
the 10,000 x 100,000 fleet (core, controller and the hosts_file playbook only: the other paths take minutes).
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import plan_bench
from tree_usage import run_measured

from ansible_collections.vmfleet.hosts.plugins.module_utils.capacity.placement import plan
from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.request import parse_requests

try:  # the action plugin's pure part (absent before the action plugin existed: the row is left out)
    from ansible_collections.vmfleet.hosts.plugins.module_utils.plan_task import run_plan_task
except ImportError:  # pragma: no cover - only on an old checkout
    run_plan_task = None

SIZES = [(100, 1000), (1000, 10000)]
HUGE = (10000, 100000)

PLAY = """\
- name: vm_plan end to end
  hosts: localhost
  connection: local
  gather_facts: false
{vars}  tasks:
    - name: Plan the requests on the fleet
      vmfleet.hosts.vm_plan:
{options}      register: fleet_plan

    - name: Use the plan in a later task
      ansible.builtin.debug:
        msg: >-
          placed {{{{ fleet_plan.placements | length }}}} on
          {{{{ fleet_plan.placements | map(attribute='host') | unique | length }}}} hosts,
          unplaced {{{{ fleet_plan.unplaced | length }}}}
"""
# vm_plan reads the fleet file itself: parsed once, plain data
FILE_PLAY = PLAY.format(vars="", options="        hosts_file: fleet.json\n        requests_file: fleet.json\n")
# the same, for a task that only needs where each VM goes (placements of name and host only)
HOST_PLAY = PLAY.format(
    vars="",
    options="        hosts_file: fleet.json\n        requests_file: fleet.json\n        placement_detail: host\n",
)
# the Ansible way for any module: vars_files (parsed again for every task) and options templated from variables
VARS_PLAY = PLAY.format(
    vars="  vars_files:\n    - fleet_vars.json\n",
    options='        hosts: "{{ fleet_hosts }}"\n        requests: "{{ fleet_requests }}"\n',
)


def fleet(hosts, requests):
    rng = random.Random(20261121)
    return (
        [plan_bench.make_host(rng, i) for i in range(hosts)],
        [plan_bench.make_request(rng, i) for i in range(requests)],
    )


def timed(func):
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def best(runs, func):
    figures = [timed(func) for _run in range(runs)]
    return min(seconds for seconds, _result in figures), figures[-1][1]


def module_alone(workdir, hosts, requests):
    args = workdir / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {"hosts": hosts, "requests": requests}}))
    argv = [sys.executable, "-m", "ansible_collections.vmfleet.hosts.plugins.modules.vm_plan", str(args)]
    return run_measured(argv, cwd=str(workdir))


def playbook(workdir, hosts, requests, play):
    (workdir / "fleet.json").write_text(json.dumps({"hosts": hosts, "requests": requests}))
    (workdir / "fleet_vars.json").write_text(json.dumps({"fleet_hosts": hosts, "fleet_requests": requests}))
    (workdir / "plan.yml").write_text(play)
    argv = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", "localhost,", "plan.yml"]
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_STDOUT_CALLBACK="default")
    return run_measured(argv, cwd=str(workdir), env=env)


def _placed(output):
    for line in output.splitlines():
        if '"msg": "placed' in line:
            return line.split('"msg": ')[1].strip().strip('"')
    return "no summary line: " + output[-400:].replace("\n", " | ")


def row(label, seconds, core, extra=""):
    print(f"  {label:<40} {seconds:8.2f} s  {seconds / core:6.1f}x core  {extra}")


ALL_PLAYS = [
    ("ansible-playbook, hosts_file", FILE_PLAY),
    ("ansible-playbook, hosts_file, detail host", HOST_PLAY),
    ("ansible-playbook, vars_files + {{ }}", VARS_PLAY),
]


def measure(hosts_n, requests_n, with_module=True, plays=None):
    hosts, raw = fleet(hosts_n, requests_n)
    print(f"\n{hosts_n:,} hosts x {requests_n:,} requests")
    runs = 3 if requests_n <= 10000 else 1  # the core's figure is the best of a few runs where they are cheap
    parse_s, requests = best(runs, lambda: parse_requests(raw))
    # the work the task does by default: no whole host records in the result (return_hosts: false)
    plan_s, result = best(runs, lambda parsed=requests: plan(hosts, parsed, host_records=False))
    core = parse_s + plan_s
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # this process so far: the core's peak here
    row("core: parse_requests + plan()", core, core, f"(plan() alone {plan_s:.2f} s; bench peak RSS {peak:.0f} MiB)")
    print(f"  {'':<40} placed {len(result['placements'])}, unplaced {len(result['unplaced'])}")
    del result, requests
    if run_plan_task is not None:
        seconds, out = timed(lambda: run_plan_task({"hosts": hosts, "requests": raw}))
        size = len(json.dumps(out)) / 2**20
        row("controller (action plugin, no Ansible)", seconds, core, f"result {size:.1f} MiB of JSON")
        del out
    with tempfile.TemporaryDirectory(prefix="vmfleet-plan-bench-") as tmp:
        workdir = Path(tmp)
        if with_module:
            run = module_alone(workdir, hosts, raw)
            ok = "ok" if run["rc"] == 0 else f"rc {run['rc']}: {run['output'][-300:]}"
            row("module alone (python -m, argspec)", run["seconds"], core, f"peak RSS {run['rss_mib']:.0f} MiB  {ok}")
        for label, play in ALL_PLAYS if plays is None else plays:
            run = playbook(workdir, hosts, raw, play)
            ok = _placed(run["output"]) if run["rc"] == 0 else f"rc {run['rc']}: {run['output'][-600:]}"
            row(
                label,
                run["seconds"],
                core,
                f"peak tree RSS {run['rss_mib']:.0f} MiB, PSS {run['pss_mib']:.0f} MiB ({run['processes']} processes)",
            )
            print(f"  {'':<40} {ok}")


if __name__ == "__main__":
    print(f"Python {sys.version.split()[0]}; vm_plan paths side by side; one run each; figures only, no pass/fail")
    for hosts_n, requests_n in SIZES:
        measure(hosts_n, requests_n)
    if os.environ.get("PLAN_BENCH_HUGE", "1") != "0":
        measure(*HUGE, with_module=False, plays=ALL_PLAYS[:2])
