"""Module params for the services' tests, as the modules pass them (every option, defaults applied)."""


def compose_params(**given) -> dict:
    """vm_compose's params as the module passes them: every option, with its default unless given."""
    params = {
        "name": "web",
        "state": "present",
        "cores": 2,
        "pinned_cores": None,
        "memory": "1024",
        "hugepages_backed": None,
        "hugepage_size": None,
        "numa_strict": None,
        "disks": None,
        "storage": "root:10",
        "interfaces": None,
        "pool": None,
        "tags": None,
        "boot": "network",
        "image": None,
        "instance_type": None,
        "cloud_init": None,
        "accelerator": "auto",
        "cpu_disabled_features": [],
        "allow_restart": False,
        "repair_drift": False,
        "shutdown_timeout": 120,
        "lock_timeout": 300,
    }
    params.update(given)
    return params
