# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options with suboptions given in the wrong shape (a string or a list for a mapping, a number for a list of
mappings), found before ansible-core validates them.

ansible-core 2.19 walks suboptions for no_log values before it checks types, and a wrong shape there either
crashes the module (``reserved: [1]`` gives "Module failed: argument of type 'int' is not iterable") or fails
with a message that names no option (``networks: abc`` gives "dictionary requested, could not parse JSON or
key=value"). This finds the first such option so the module can fail naming it. Values of options that hold
secrets (any no_log suboption) are never quoted.
"""

from __future__ import annotations

from ansible.module_utils.common.validation import check_type_dict

from ansible_collections.vmfleet.hosts.plugins.module_utils.spec.errors import child, item, show


def _mapping(value):
    """The value as a mapping the way ansible-core reads one (also ``k=v`` text), or None."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            return check_type_dict(value)
        except (TypeError, ValueError):
            return None
    return None


def _secret(spec: dict) -> bool:
    return any(opts.get("no_log") or _secret(opts.get("options") or {}) for opts in spec.values())


def _leaves(value) -> set:
    """Every scalar inside a value, as text: what must be masked when the value may hold a secret."""
    if isinstance(value, dict):
        return set().union(*(_leaves(one) for one in value.values()), set()) | {str(key) for key in value}
    if isinstance(value, (list, tuple)):
        return set().union(*(_leaves(one) for one in value), set())
    return set() if value is None or isinstance(value, bool) else {str(value)}


def _problem(where: str, value, secret: bool, reason: str) -> dict:
    """fail_json keys; ``secrets`` (for the module, not the result) are the texts to mask in everything it
    returns, since ansible-core has not yet collected the no_log values when this runs."""
    if secret:
        return {"msg": f"{where} {reason}", "option": where, "reason": reason, "secrets": _leaves(value)}
    return {"msg": f"{where}: {show(value)} {reason}", "option": where, "reason": reason, "secrets": set()}


def _entries(value, opts: dict, where: str, secret: bool):
    """[(path, mapping)] of an option's value, or the problem (a dict) when its shape is wrong."""
    keys = ", ".join(opts["options"])
    if opts.get("type") == "dict":
        entry = _mapping(value)
        if entry is None:
            return _problem(where, value, secret, f"is not a mapping; give a mapping with the keys {keys}")
        return [(where, entry)]
    if not isinstance(value, list):
        if _mapping(value) is None:
            return _problem(where, value, secret, f"is not a list of mappings, each with the keys {keys}")
        value = [value]  # "name=x" text: ansible-core reads it as a list of one mapping
    entries = []
    for index, one in enumerate(value):
        entry = _mapping(one)
        if entry is None:
            return _problem(item(where, index), one, secret, f"is not a mapping; give one with the keys {keys}")
        entries.append((item(where, index), entry))
    return entries


def shape_problem(spec: dict, params, prefix: str = ""):
    """The first option (or suboption) with suboptions whose value is not the mapping or list of mappings its
    spec asks for, as fail_json keys (msg, option, reason) and the secrets to mask; None when every one has its
    shape."""
    for name, opts in spec.items():
        value = params.get(name)
        nested = opts.get("type") == "dict" or (opts.get("type") == "list" and opts.get("elements") == "dict")
        if "options" not in opts or value is None or not nested:
            continue
        where = child(prefix, name)
        entries = _entries(value, opts, where, bool(opts.get("no_log")) or _secret(opts["options"]))
        if isinstance(entries, dict):
            return entries
        for path, entry in entries:
            found = shape_problem(opts["options"], entry, path)
            if found:
                return found
    return None


def secret_values(spec: dict, params) -> set:
    """The texts of every no_log option (or suboption) in ``params``, whatever their shape: what a module must mask
    when it takes such options inside a value ansible-core does not validate itself (vm_converge's VM list)."""
    found = set()
    if not isinstance(params, dict):
        return found
    for name, opts in spec.items():
        value = params.get(name)
        if value is None:
            continue
        if opts.get("no_log"):
            found |= _leaves(value)
        elif "options" in opts and _secret(opts["options"]):
            entries = [_mapping(one) for one in value] if isinstance(value, list) else [_mapping(value)]
            for entry in entries:
                # a value in the wrong shape is masked whole: which part of it was the secret cannot be known
                found |= _leaves(value) if entry is None else secret_values(opts["options"], entry)
    return found
