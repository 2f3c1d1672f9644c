# -*- coding: utf-8 -*-
# Copyright: vmfleet.hosts contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Headless Chromium (Debian's ``chromium``) as the tests drive it: the DOM after rendering, screenshots, and
what the page asked the network for.

Each run gets its own profile. Names resolve to nothing and the proxy is a closed port, so no request could leave
the machine anyway; the net log says which requests were made at all. The browser makes requests of its own
(update checks, the clock, sign-in) whose initiator is "not an origin"; a request a page makes carries the page's
origin as initiator (``null`` for a file:// page), which is what ``page_requests`` returns.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

BROWSER_OWN = "not an origin"
FLAGS = [
    "--headless",
    "--no-sandbox",  # root has no user namespace sandbox here
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--virtual-time-budget=3000",
]


def chromium(work: Path, url: str, *extra: str, width: int = 1280, height: int = 900) -> tuple[str, Path]:
    """Run Chromium on ``url``; returns its stdout and the path of its net log."""
    work.mkdir(parents=True, exist_ok=True)
    netlog = work / f"netlog-{width}x{height}-{len(list(work.iterdir()))}.json"
    proc = subprocess.run(
        [
            "chromium",
            *FLAGS,
            f"--user-data-dir={work / 'profile'}",
            f"--log-net-log={netlog}",
            f"--window-size={width},{height}",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, f"chromium failed ({proc.returncode}): {proc.stderr[-2000:]}"
    return proc.stdout, netlog


def page_requests(netlog: Path) -> list:
    """URLs the page (not the browser itself) asked for, from Chromium's net log."""
    log = json.loads(netlog.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    found = []
    for event in log["events"]:
        params = event.get("params") or {}
        if event["type"] == start and "url" in params and params.get("initiator") != BROWSER_OWN:
            found.append(params["url"])
    return found


def dump_dom(work: Path, page: Path, width: int = 1280) -> tuple[str, list]:
    """The serialised DOM after rendering, and the page's own requests."""
    dom, netlog = chromium(work, page.resolve().as_uri(), "--dump-dom", width=width)
    return dom, page_requests(netlog)


# Chromium will not make a window narrower than this; a narrower screen is an iframe of that width in a window.
MIN_WINDOW = 500
MEASURE = (
    "<script>addEventListener('load', () => { const e = document.documentElement;"
    " const size = {scrollWidth: e.scrollWidth, scrollHeight: e.scrollHeight, clientWidth: e.clientWidth};"
    " Object.assign(document.body.dataset, size); parent.postMessage(size, '*'); });</script>"
)
RELAY = "<script>addEventListener('message', (m) => Object.assign(document.body.dataset, m.data));</script>"


def _frame(work: Path, src: Path, width: int, height: int, script: str = "") -> Path:
    """A page holding ``src`` in an iframe ``width`` px wide: the framed page lays out (media queries included)
    as on a screen that wide."""
    wrapper = work / f"frame-{width}-{src.stem}.html"
    wrapper.write_text(
        "<!DOCTYPE html><html><body style='margin:0'>"
        f"<iframe src='{src.name}' style='border:0;display:block;width:{width}px;height:{height}px'></iframe>"
        f"{script}</body></html>",
        encoding="utf-8",
    )
    return wrapper


def measure(work: Path, page: Path, width: int) -> dict:
    """Page width and height as laid out at ``width`` px (a copy of the page with a measuring script; the page
    itself has no script and forbids one, so the copy drops the policy)."""
    source = page.read_text(encoding="utf-8")
    head, sep, rest = source.partition('<meta http-equiv="Content-Security-Policy"')
    assert sep, "the report has no Content-Security-Policy"
    work.mkdir(parents=True, exist_ok=True)
    copy = work / f"measure-{width}.html"
    copy.write_text(head + rest.split(">", 1)[1].replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    target = copy if width >= MIN_WINDOW else _frame(work, copy, width, 900, RELAY)
    dom, _netlog = chromium(work, target.resolve().as_uri(), "--dump-dom", width=max(width, MIN_WINDOW))
    figures = {}
    for key in ("scroll-width", "scroll-height", "client-width"):
        marker = f'data-{key}="'
        assert marker in dom, f"no {key} measured at {width} px"
        figures[key] = int(dom.split(marker, 1)[1].split('"', 1)[0])
    assert figures["client-width"] == width, f"the page was laid out {figures['client-width']} px wide, not {width}"
    return figures


def screenshot(work: Path, page: Path, out: Path, width: int) -> dict:
    """A PNG of the whole page at ``width`` px; returns the page's measured size. Below Chromium's narrowest
    window the page is framed at ``width`` px, left-aligned in a window of MIN_WINDOW px."""
    size = measure(work, page, width)
    out.parent.mkdir(parents=True, exist_ok=True)
    height = size["scroll-height"]
    if width >= MIN_WINDOW:
        target = page
    else:
        framed = work / page.name
        framed.write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
        target = _frame(work, framed, width, height)
    chromium(work, target.resolve().as_uri(), f"--screenshot={out}", width=max(width, MIN_WINDOW), height=height)
    assert out.exists() and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"no screenshot at {out}"
    return size
