"""The HTML page and the text tables: everything escaped, nothing fetched, real tables, text for every graphic."""

import json
import re
from html.parser import HTMLParser

from report_fleet import fleet, nfv_host

from ansible_collections.vmfleet.hosts.plugins.module_utils.report import facts, html, text

EVIL = 'x"><script>alert(1)</script>'


class Page(HTMLParser):
    """Collects the elements of a page with their attributes, and the text outside tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def page(report):
    parser = Page()
    parser.feed(html.render(report))
    return parser


def test_page_fetches_nothing():
    source = html.render(facts.build(fleet()))
    parsed = page(facts.build(fleet()))
    for tag, attrs in parsed.elements:
        for key in ("src", "href", "srcset", "action", "data", "poster"):
            value = attrs.get(key)
            assert value is None or value.startswith("#"), (tag, key, value)
        assert tag not in ("script", "link", "img", "iframe", "object", "embed"), tag
    assert not re.search(r"https?://", source, re.IGNORECASE)
    assert not re.search(r"url\((?!#)", source)  # CSS url() only for the page's own SVG pattern
    assert "@import" not in source
    csp = next(a for t, a in parsed.elements if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp["content"].startswith("default-src 'none'")


def test_user_input_is_escaped():
    record = nfv_host()
    record["vms"][0]["name"] = EVIL
    source = html.render(facts.build([record]))
    assert "<script>" not in source and EVIL not in source
    assert "x&#34;&gt;&lt;script&gt;" in source or "x&quot;&gt;&lt;script&gt;" in source
    assert "made with &lt;b&gt;virsh&lt;/b&gt; &amp; friends" in source
    assert EVIL in "".join(page(facts.build([record])).text)  # shown as text


def test_tables_have_headers_with_scope_and_graphics_have_text():
    parsed = page(facts.build(fleet()))
    headers = [a for t, a in parsed.elements if t == "th"]
    assert headers and all(a.get("scope") in ("col", "row") for a in headers)
    assert sum(1 for t, _attrs in parsed.elements if t == "table") >= 8
    assert sum(1 for t, _attrs in parsed.elements if t == "caption") == sum(
        1 for t, _attrs in parsed.elements if t == "table"
    )
    bars = [a for t, a in parsed.elements if t == "svg" and "bar" in a.get("class", "")]
    assert bars and all(a.get("role") == "img" and a.get("aria-label") for a in bars)
    assert sum(1 for t, _attrs in parsed.elements if t == "title") == len(bars) + 1  # each bar's, and the page's
    cores = [a for t, a in parsed.elements if t == "li" and "cpu" in a.get("class", "").split()]
    assert len(cores) == 16 + 4 and all(a.get("title", "").startswith("CPU ") for a in cores)
    pinned = [a for a in cores if a["data-status"] == "pinned"]
    assert [a["title"] for a in pinned if a["data-cpu"] == "1"] == ["CPU 1: pinned by vrouter, probe"]
    colour = {a["data-cpu"]: a["class"].split()[-1] for a in pinned}
    assert len(pinned) == 6 and colour["0"] == colour["1"] != colour["6"] == colour["9"]


def test_page_shows_hosts_nodes_vms_and_findings():
    report = facts.build(fleet())
    parsed = page(report)
    words = " ".join(" ".join(parsed.text).split())
    hosts = [a["data-host"] for t, a in parsed.elements if t == "article"]
    assert hosts == ["crowded", "nfv-1"]
    assert sorted(a["data-node"] for t, a in parsed.elements if t == "section" and "data-node" in a) == ["0", "0", "1"]
    vms = [a["data-vm"] for t, a in parsed.elements if t == "tr" and "data-vm" in a]
    assert sorted(vms) == sorted(v["name"] for h in report["hosts"] for v in h["vms"])
    kinds = [a["data-kind"] for t, a in parsed.elements if t == "tr" and "data-kind" in a]
    # each finding in the page's list and again under its host
    assert sorted(kinds) == sorted([f["kind"] for f in report["findings"]] * 2)
    assert "View by NUMA node (2)" in words and "VFs 2 used of 2" in words
    default_pool = [a for t, a in parsed.elements if t == "tr" and a.get("data-pool") == "fast"]
    assert default_pool and "default" in html.render(report).split('data-pool="fast"')[1].split("</tr>")[0]


def test_bar_geometry():
    b = html.bar_shape(6, 4, 4)
    assert (b["used"], b["allowed"], b["over"], b["level"]) == (66.67, 66.67, 33.33, "over")
    b = html.bar_shape(2, 8, 4, reserved=2)
    assert (b["used"], b["allowed"], b["reserved"], b["physical"], b["show_physical"]) == (20.0, 80.0, 20.0, 40.0, True)
    assert b["label"] == "2 used of 8 allowed; the machine has 4; 2 kept back by the reserve"
    assert html.bar_shape(0, 0, 0)["used"] == 0


def test_text_tables():
    report = facts.build(fleet())
    out = text.render(report)
    assert out.isascii()
    assert "VM FLEET CAPACITY: 2 host(s), 6 VM(s), 9 finding(s)" in out
    assert "CRITICAL  crowded  vcpus" in out
    assert re.search(r"vCPUs\s+6\s+4\s+4\s+-2\s+1\s+150%\s+\[!{20}\]", out)
    assert "  node 0 cores: 0 vrouter; 1 vrouter, probe; 2-5 free; 6-7 wide" in out
    assert "pool fast (default)" in out
    assert text.ascii_bar(1, 100) == "[#" + "." * 19 + "]"


def test_json_is_the_facts():
    report = facts.build(fleet())
    assert json.loads(json.dumps(report)) == report
