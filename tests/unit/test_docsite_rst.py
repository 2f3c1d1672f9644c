"""tools/docsite_rst.py: docs/*.md become RST extra docs that docutils reads without a warning, and bad links fail."""

import importlib.util
import io
import shutil
from pathlib import Path

import pytest
from docutils.core import publish_doctree

ROOT = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("docsite_rst", ROOT / "tools" / "docsite_rst.py")
docsite_rst = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(docsite_rst)


def collection(tmp_path, pages: dict, listed=None) -> Path:
    (tmp_path / "docs" / "docsite").mkdir(parents=True)
    (tmp_path / "plugins" / "modules").mkdir(parents=True)
    (tmp_path / "plugins" / "modules" / "vm_compose.py").write_text("")
    for name, text in pages.items():
        (tmp_path / "docs" / f"{name}.md").write_text(text)
    refs = "\n".join(f"      - {name}" for name in (pages if listed is None else listed))
    (tmp_path / "docs" / "docsite" / "extra-docs.yml").write_text(
        f"sections:\n  - title: Pages\n    toctree:\n{refs}\n"
    )
    return tmp_path


def rst(root: Path, name: str) -> str:
    return (root / "docs" / "docsite" / "rst" / f"{name}.rst").read_text()


def strict_parse(text: str):
    """Parse as docutils does, failing on any warning (Sphinx's roles and directives are not known here)."""
    text = text.replace(".. code-block::", ".. code::")
    stream = io.StringIO()
    settings = {"report_level": 2, "halt_level": 2, "warning_stream": stream}
    return publish_doctree(text, settings_overrides=settings)


def test_links_between_pages_become_labels_with_github_anchors(tmp_path):
    root = collection(
        tmp_path,
        {
            "a": "# Page A\n\nSee [the rules](b.md#the-rules-of-b), [b](b.md) and [below](#more).\n\n## More\n",
            "b": "# Page B\n\n## The rules (of B)\n\ntext\n",
        },
    )
    docsite_rst.write_docsite(root)
    text = rst(root, "a")
    prefix = "ansible_collections.vmfleet.hosts.docsite."
    assert f".. _{prefix}a:" in text
    assert f":ref:`the rules <{prefix}b.the-rules-of-b>`" in text
    assert f":ref:`b <{prefix}b>`" in text
    assert f":ref:`below <{prefix}a.more>`" in text
    assert f".. _{prefix}b.the-rules-of-b:" in rst(root, "b")


def test_a_link_to_a_missing_page_or_heading_fails_naming_it(tmp_path):
    root = collection(tmp_path, {"a": "# A\n\n[x](nope.md) and [y](b.md#gone)\n", "b": "# B\n"})
    with pytest.raises(docsite_rst.DocsiteError) as error:
        docsite_rst.write_docsite(root)
    assert "'nope.md': no such page" in str(error.value)
    assert "b.md has no heading #gone" in str(error.value)


def test_every_page_must_be_listed_and_every_listed_page_must_exist(tmp_path):
    root = collection(tmp_path, {"a": "# A\n", "b": "# B\n"}, listed=["a", "c"])
    with pytest.raises(docsite_rst.DocsiteError) as error:
        docsite_rst.write_docsite(root)
    assert "docs/b.md is not listed" in str(error.value)
    assert "lists c, but docs/c.md does not exist" in str(error.value)


def test_inline_markup_next_to_words_tables_lists_and_code_parse_cleanly(tmp_path):
    page = (
        "# T\n\n"
        "Plural `VM`s, a_b and word_ (x|y), **bold `code`** and *em*, [ext](https://example.org/a_b), "
        "[a file](../roles/x/README.md), `vmfleet.hosts.vm_compose`.\n\n"
        "| key | meaning |\n| --- | --- |\n| `a` | one \\| two |\n| | empty first cell |\n\n"
        "- one\n  - nested `x`\n- two\n\n"
        "1. first\n2. second\n\n"
        "```yaml\nkey: value\n```\n\n```\nplain\n```\n\n"
        "#### Deep heading after h1\n\n## Then h2\n"
    )
    root = collection(tmp_path, {"t": page})
    docsite_rst.write_docsite(root)
    text = rst(root, "t")
    assert "``VM``\\ s" in text
    assert "word\\_ (x\\|y)" in text
    assert ":ansplugin:`vmfleet.hosts.vm_compose#module`" in text
    assert "a file (``roles/x/README.md``)" in text  # no role x: the path, since the file is not on the site
    strict_parse(text.replace(":ansplugin:", ":literal:").replace(":ref:", ":literal:"))


def test_a_role_readme_link_goes_to_the_role_page(tmp_path):
    root = collection(tmp_path, {"r": "# R\n\nSee [its README](../roles/hugepages/README.md).\n"})
    (root / "roles" / "hugepages" / "meta").mkdir(parents=True)
    (root / "roles" / "hugepages" / "meta" / "argument_specs.yml").write_text("argument_specs: {}\n")
    docsite_rst.write_docsite(root)
    assert ":ansplugin:`its README <vmfleet.hosts.hugepages#role:main>`" in rst(root, "r")


def test_the_collection_pages_convert_and_parse(tmp_path):
    root = tmp_path / "c"
    shutil.copytree(ROOT / "docs", root / "docs", ignore=shutil.ignore_patterns("rst"))
    shutil.copytree(ROOT / "plugins" / "modules", root / "plugins" / "modules")
    shutil.copytree(ROOT / "roles", root / "roles")
    written = docsite_rst.write_docsite(root)
    assert {path.stem for path in written} >= {"maas_migration", "troubleshooting", "capacity"}
    for path in written:
        text = path.read_text()
        for role in (":ansplugin:", ":ref:"):
            text = text.replace(role, ":literal:")
        strict_parse(text)
