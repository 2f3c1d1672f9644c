"""vm_report's documentation and the action plugin's argument spec agree (validate-modules cannot compare them:
the module file holds documentation only, the spec lives in the action plugin)."""

import yaml

from ansible_collections.vmfleet.hosts.plugins.action.vm_report import argument_spec
from ansible_collections.vmfleet.hosts.plugins.module_utils.record_spec import hosts_argspec
from ansible_collections.vmfleet.hosts.plugins.modules import vm_report


def test_documented_options_are_the_argument_spec():
    documented = yaml.safe_load(vm_report.DOCUMENTATION)["options"]
    spec = argument_spec()
    # hosts comes from the host_record fragment, checked against record_spec by vm_plan's validate-modules
    assert spec.pop("hosts") == hosts_argspec(required=True)
    assert sorted(documented) == sorted(spec)
    for name, option in documented.items():
        given = spec[name]
        assert option["type"] == given["type"], name
        assert option.get("default") == given.get("default"), name
        assert option.get("choices") == given.get("choices"), name
        assert option.get("elements") == given.get("elements"), name
        assert bool(option.get("required")) == bool(given.get("required")), name


def test_examples_use_documented_options():
    options = set(yaml.safe_load(vm_report.DOCUMENTATION)["options"]) | {"hosts"}
    for task in yaml.safe_load(vm_report.EXAMPLES):
        if "vmfleet.hosts.vm_report" in task:
            assert set(task["vmfleet.hosts.vm_report"]) <= options, task["name"]
