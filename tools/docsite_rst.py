# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the Markdown pages of docs/ as the RST extra docs that antsibull-docs puts on the collection's docsite.

antsibull-docs takes extra docs only as RST files in docs/docsite/rst/, listed in docs/docsite/extra-docs.yml,
while people read docs/*.md on the forge and in the checkout. So the Markdown pages stay the one source and this
writes their RST form at build time (into the build copy, never into the checkout):

    python tools/docsite_rst.py COLLECTION_ROOT

Links between pages become :ref: to the page (or section) labels antsibull-docs requires, with GitHub's heading
anchors; a link to a page or anchor that does not exist fails the run, naming it. Links to files outside docs/
become their path as a literal (they are not on the docsite). Inline code naming a module or role of this
collection becomes an :ansplugin: reference. Every docs/*.md must be listed in extra-docs.yml and every listed
page must exist, so a new page cannot be left off the site.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

COLLECTION = "vmfleet.hosts"
LABEL_PREFIX = f"ansible_collections.{COLLECTION}.docsite."
UNDERLINES = "=-~^\"'"
# Pygments lexers the pages use; any other fence language is shown as plain text rather than failing the build
LEXERS = {"yaml", "yml", "json", "console", "bash", "sh", "shell", "python", "ini", "xml", "text", "jinja"}
# characters RST accepts right before inline markup starts and right after it ends
BEFORE_MARKUP = set(" \t\n-:/'\"<([{")
AFTER_MARKUP = set(" \t\n-.,:;!?\\/'\")]}>")


class DocsiteError(Exception):
    pass


def slug(text: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def plain(node: SyntaxTreeNode) -> str:
    """The text of an inline node without its markup (for headings, anchors and link titles)."""
    if node.type in ("text", "code_inline"):
        return node.content
    if node.type in ("softbreak", "hardbreak"):
        return " "
    return "".join(plain(child) for child in node.children)


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([`*|])", r"\\\1", text)
    return re.sub(r"_(?=\W|$)", r"\\_", text)  # "word_" would be a reference


def literal(text: str) -> str:
    text = text.strip()
    return f"``{text}``" if text and "``" not in text else f":literal:`{escape(text)}`"


class Page:
    def __init__(self, name: str, source: str):
        self.name = name
        self.label = LABEL_PREFIX + name
        self.tree = SyntaxTreeNode(MarkdownIt("commonmark").enable("table").parse(source))
        self.anchors = {}  # GitHub anchor -> RST label
        seen = {}
        for node in self.tree.walk():
            if node.type == "heading" and node.tag != "h1":
                base = slug(plain(node.children[0]))
                count = seen.get(base, 0)
                seen[base] = count + 1
                anchor = base if count == 0 else f"{base}-{count}"
                self.anchors[anchor] = f"{self.label}.{anchor}"


class Renderer:
    def __init__(self, pages: dict, page: Page, plugins: dict):
        self.pages = pages
        self.page = page
        self.plugins = plugins  # FQCN -> "module" or "role:main"
        self.errors = []
        self.heading_depth = 0
        self.anchor_iter = iter(page.anchors.values())

    # inline -------------------------------------------------------------------------------------------------
    def inline(self, node: SyntaxTreeNode, nested: bool = False) -> str:
        pieces = []  # (text, is_markup)
        for child in node.children:
            pieces.extend(self._inline_piece(child, nested))
        out = ""
        for index, (text, markup) in enumerate(pieces):
            if markup and out and out[-1] not in BEFORE_MARKUP:
                out += "\\ "
            out += text
            following = pieces[index + 1][0] if index + 1 < len(pieces) else ""
            if markup and following and following[0] not in AFTER_MARKUP:
                out += "\\ "
        return out

    def _inline_piece(self, node: SyntaxTreeNode, nested: bool) -> list:
        kind = node.type
        if kind == "text":
            return [(escape(node.content), False)]
        if kind in ("softbreak", "hardbreak"):
            return [(" ", False)]
        if kind == "code_inline":
            if nested:  # RST cannot nest a literal in emphasis
                return [(escape(node.content), False)]
            role = self.plugins.get(node.content.strip())
            if role:
                return [(f":ansplugin:`{node.content.strip()}#{role}`", True)]
            return [(literal(node.content), True)]
        if kind in ("strong", "em"):
            mark = "**" if kind == "strong" else "*"
            inner = self.inline(node, nested=True).strip()
            return [(f"{mark}{inner}{mark}", True)] if inner else []
        if kind == "link":
            return [(self.link(node), True)]
        if kind == "html_inline":
            return [(escape(node.content), False)]
        if kind == "image":
            return [(escape(plain(node)), False)]
        raise DocsiteError(f"{self.page.name}.md: inline {kind} is not handled")

    def link(self, node: SyntaxTreeNode) -> str:
        href = node.attrs.get("href", "")
        title = escape(plain(node).strip()).replace("<", "\\<").replace(">", "\\>")
        if re.match(r"[a-z]+://", href):
            return f"`{title} <{href}>`__"
        path, _hash, anchor = href.partition("#")
        if not path:
            target = self.page
        elif "/" not in path and path.endswith(".md") and path[:-3] in self.pages:
            target = self.pages[path[:-3]]
        elif "/" not in path and path.endswith(".md"):
            self.errors.append(f"{self.page.name}.md: link to {href!r}: no such page in docs/")
            return title
        else:  # a file of the collection outside docs/: not on the docsite, except a role's README (its page is)
            shown = re.sub(r"^(\.\./)+", "", path)
            role = re.fullmatch(r"roles/(\w+)/README\.md", shown)
            fqcn = f"{COLLECTION}.{role.group(1)}" if role else None
            if fqcn in self.plugins:
                return f":ansplugin:`{title} <{fqcn}#{self.plugins[fqcn]}>`"
            return f"{title} ({literal(shown)})"
        if not anchor:
            return f":ref:`{title} <{target.label}>`"
        if anchor not in target.anchors:
            self.errors.append(f"{self.page.name}.md: link to {href!r}: {target.name}.md has no heading #{anchor}")
            return title
        return f":ref:`{title} <{target.anchors[anchor]}>`"

    # blocks -------------------------------------------------------------------------------------------------
    def blocks(self, nodes, indent: str = "") -> list:
        lines = []
        for node in nodes:
            lines.extend(self.block(node, indent))
        return lines

    def block(self, node: SyntaxTreeNode, indent: str) -> list:
        kind = node.type
        if kind == "heading":
            return self.heading(node)
        if kind == "paragraph":
            return [indent + self.inline(node.children[0]), ""]
        if kind in ("bullet_list", "ordered_list"):
            return self.list(node, indent)
        if kind in ("fence", "code_block"):
            language = (node.info or "").split()[0] if kind == "fence" and node.info else "text"
            language = language if language in LEXERS else "text"
            body = [f"{indent}   {line}" if line else "" for line in node.content.rstrip("\n").split("\n")]
            return [f"{indent}.. code-block:: {language}", "", *body, ""]
        if kind == "table":
            return self.table(node, indent)
        if kind == "blockquote":
            return [f"{indent}..", "", *self.blocks(node.children, indent + "   ")]
        if kind in ("hr", "html_block"):
            return []
        raise DocsiteError(f"{self.page.name}.md: block {kind} is not handled")

    def heading(self, node: SyntaxTreeNode) -> list:
        level = int(node.tag[1])
        text = self.inline(node.children[0])
        if level == 1:
            self.heading_depth = 1
            return [f".. _{self.page.label}:", "", text, "=" * len(text), ""]
        # RST takes levels from the order of underline styles, so a skipped Markdown level must not skip one here
        depth = min(level, self.heading_depth + 1)
        self.heading_depth = depth
        label = next(self.anchor_iter)
        return [f".. _{label}:", "", text, UNDERLINES[depth - 1] * len(text), ""]

    def list(self, node: SyntaxTreeNode, indent: str) -> list:
        lines = []
        start = int(node.attrs.get("start", 1)) if node.type == "ordered_list" else None
        for number, item in enumerate(node.children, start or 0):
            marker = f"{number}. " if start is not None else "- "
            body = self.blocks(item.children, indent + " " * len(marker))
            while body and body[-1] == "":
                body.pop()
            if not body:
                body = [indent + " " * len(marker)]
            body[0] = indent + marker + body[0][len(indent) + len(marker) :]
            lines.extend(body)
            lines.append("")
        return lines

    def table(self, node: SyntaxTreeNode, indent: str) -> list:
        rows = [row for part in node.children for row in part.children]
        lines = [f"{indent}.. list-table::", f"{indent}   :header-rows: 1", ""]
        for row in rows:
            for index, cell in enumerate(row.children):
                text = self.inline(cell.children[0]) if cell.children else ""
                lines.append(f"{indent}   {'* -' if index == 0 else '  -'} {text}".rstrip())
        return [*lines, ""]


def plugin_names(root: Path) -> dict:
    names = {f"{COLLECTION}.{p.stem}": "module" for p in (root / "plugins" / "modules").glob("*.py")}
    for spec in (root / "roles").glob("*/meta/argument_specs.yml"):
        names[f"{COLLECTION}.{spec.parent.parent.name}"] = "role:main"
    return names


def listed_pages(root: Path) -> list:
    index = yaml.safe_load((root / "docs" / "docsite" / "extra-docs.yml").read_text(encoding="utf-8"))
    refs = []
    for section in index.get("sections") or []:
        for entry in section.get("toctree") or []:
            refs.append(entry["ref"] if isinstance(entry, dict) else entry)
    return refs


def write_docsite(root: Path) -> list:
    sources = {path.stem: path.read_text(encoding="utf-8") for path in sorted((root / "docs").glob("*.md"))}
    listed = listed_pages(root)
    errors = [f"docs/{name}.md is not listed in docs/docsite/extra-docs.yml" for name in sources if name not in listed]
    errors += [
        f"docs/docsite/extra-docs.yml lists {r}, but docs/{r}.md does not exist" for r in listed if r not in sources
    ]
    pages = {name: Page(name, text) for name, text in sources.items()}
    plugins = plugin_names(root)
    out_dir = root / "docs" / "docsite" / "rst"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, page in pages.items():
        renderer = Renderer(pages, page, plugins)
        lines = renderer.blocks(page.tree.children)
        errors.extend(renderer.errors)
        while lines and lines[-1] == "":
            lines.pop()
        target = out_dir / f"{name}.rst"
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(target)
    if errors:
        raise DocsiteError("\n".join(errors))
    return written


def main(argv: list) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        written = write_docsite(Path(argv[1]))
    except DocsiteError as error:
        print(f"docsite_rst: {error}", file=sys.stderr)
        return 1
    print(f"docsite_rst: wrote {len(written)} pages to docs/docsite/rst/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
