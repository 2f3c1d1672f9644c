# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Sphinx settings for the collection's docsite (`make docs`), after the conf.py that `antsibull-docs sphinx-init`
# writes, less what needs the network: no intersphinx inventory is fetched at build time. The few labels of the
# Ansible docs that antsibull-docs' generated pages refer to are resolved below to their pages instead; any other
# unresolved reference still fails the build (nitpicky, and make runs sphinx-build with -W).
from docutils import nodes

project = "vmfleet.hosts"
copyright = "vmfleet.hosts contributors"
title = "vmfleet.hosts: VM hosts on libvirt and LXD"
html_short_title = "vmfleet.hosts"

extensions = ["sphinx_antsibull_ext"]

pygments_style = "ansible"
highlight_language = "YAML+Jinja"

html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

default_role = "any"
nitpicky = True

ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
CONFIG_PAGE = "reference_appendices/config.html"
ANSIBLE_LABELS = {  # label: (page below ANSIBLE_DOCS, title where the reference gives none)
    "ansible_configuration_settings": (
        "reference_appendices/config.html#ansible-configuration-settings",
        "Ansible Configuration Settings",
    ),
    "common_return_values": (
        "reference_appendices/common_return_values.html#common-return-values",
        "Return Values",
    ),
    "action_plugins": ("plugins/action.html", "Action plugins"),
    "ansible_collections.ansible.builtin.copy_module": (
        "collections/ansible/builtin/copy_module.html",
        "ansible.builtin.copy",
    ),
    "ansible_collections.ansible.builtin.debug_module": (
        "collections/ansible/builtin/debug_module.html",
        "ansible.builtin.debug",
    ),
}


def _ansible_label(app, env, node, contnode):
    target = node.get("reftarget") or ""
    if node.get("reftype") == "envvar" and target.startswith("ANSIBLE_"):
        # ansible-core's own settings (e.g. the inventory cache's, in the inventory plugin's page): the config page
        reference = nodes.reference("", "", internal=False, refuri=f"{ANSIBLE_DOCS}{CONFIG_PAGE}#envvar-{target}")
        reference += contnode
        return reference
    known = ANSIBLE_LABELS.get(target) if node.get("reftype") == "ref" else None
    if known is None:
        return None
    reference = nodes.reference("", "", internal=False, refuri=ANSIBLE_DOCS + known[0])
    reference += contnode if node.get("refexplicit") else nodes.inline(known[1], known[1])
    return reference


def setup(app):
    app.connect("missing-reference", _ansible_label)
