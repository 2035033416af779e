"""A breadth-first crawl of a live badger server in Chromium at phone size (issue #17.5).

From a start page, every same-origin ``<a href>`` is followed; URLs are matched to their Flask
endpoint so that at most :data:`PER_ENDPOINT` instances of one endpoint are opened (the crawl
stays bounded however many badges or rounds the data holds). Pages that are not HTML (files,
JSON, PDF, images) are not opened. On every page: axe-core at WCAG 2.2 AA, horizontal overflow,
page weight (every byte the page loaded, browser cache off), the HTTP status and ``<html lang>``.
"""

from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tests.a11y import axe_violations

PHONE = {"width": 360, "height": 740}
#: How many pages of one Flask endpoint are opened per role and language…
PER_ENDPOINT = 1
#: … and by all roles together, per language (coach and admin share most pages); a role's
#: start pages are always checked. ``reached`` counts every endpoint a role's pages link to.
PER_ENDPOINT_ALL_ROLES = 2
#: Page weight limit: HTML + CSS + JS + images + fonts actually loaded, in bytes.
MAX_BYTES = 200 * 1024

#: Endpoints never opened: they are not pages (files, machine documents) or they act.
NOT_PAGES = frozenset({
    "static",
    "grids.service_worker",
    "grids.manifest",
    "wallet.claim_offer",  # starts an OpenID4VCI offer (a wallet, not a browser, reads it)
    "wallet.offer",
    "api.authorize",  # an OAuth request without its parameters is an error by design
})
#: Beginnings of URL rules that serve machine documents, not pages.
MACHINE_PREFIXES = ("/static/", "/ims/", "/.well-known/", "/status/")

#: Finds every element that sticks out of the viewport and is not inside a scroll container
#: that a keyboard reaches (tabindex ≥ 0) and a screen reader names (aria-label/-labelledby).
OVERFLOW_JS = """() => {
  const W = window.innerWidth;
  const out = [];
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim())
      s += '.' + el.className.trim().split(/\\s+/).join('.');
    const parent = el.parentElement;
    if (parent && parent !== document.body && !el.id) {
      let p = parent.tagName.toLowerCase();
      if (typeof parent.className === 'string' && parent.className.trim())
        p += '.' + parent.className.trim().split(/\\s+/)[0];
      s = p + ' > ' + s;
    }
    return s;
  };
  const container = (el) => {
    for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox !== 'visible') return [a, ox];
    }
    return [null, 'visible'];
  };
  const reported = new Set();
  const seen = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right <= 0 || r.left >= W) continue;  // moved off screen on purpose (skip links)
    if (r.right <= W + 1 && r.left >= -1) continue;
    if (el.parentElement && reported.has(el.parentElement)) { reported.add(el); continue; }
    const [box, ox] = container(el);
    let why = null;
    if (box === null) {
      why = 'sticks out of the screen';
    } else {
      const b = box.getBoundingClientRect();
      if (b.right > W + 1 || b.left < -1) continue;  // its container is reported instead
      if (ox === 'hidden' || ox === 'clip') {
        const s = getComputedStyle(el);
        if (s.position === 'absolute' && (r.width <= 2 || r.height <= 2)) continue;  // sr-only
        why = 'is cut off (overflow ' + ox + ' on ' + describe(box) + ')';
      } else if (!(box.tabIndex >= 0 && (box.getAttribute('aria-label')
                   || box.getAttribute('aria-labelledby')))) {
        why = 'scrolls in ' + describe(box) + ', which has no tabindex=0 or no label';
      }
    }
    if (why === null) continue;
    reported.add(el);
    const line = describe(el) + ' ' + why;
    if (seen.has(line)) continue;  // the same row or cell again
    seen.add(line);
    out.push(describe(el) + ' (' + Math.round(r.left) + '…' + Math.round(r.right)
             + ' px) ' + why);
  }
  return {scroll: document.documentElement.scrollWidth, inner: W, lang:
          document.documentElement.lang, ctype: document.contentType, wide: out.slice(0, 4)};
}"""


@dataclass
class Failure:
    mode: str
    role: str
    lang: str
    path: str
    endpoint: str
    problem: str

    def line(self) -> str:
        mode = "" if self.mode == "standard" else f" {self.mode}"
        return f"{self.path} [{self.endpoint}] as {self.role} in {self.lang}{mode}: {self.problem}"


@dataclass
class Crawl:
    """One crawl: what was checked and what failed, for every role and language."""

    app: Any
    base: str
    per_endpoint: int = PER_ENDPOINT
    per_endpoint_all_roles: int = PER_ENDPOINT_ALL_ROLES
    by_lang: dict[tuple[str, str, str], int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    checked: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    reached: dict[str, set[str]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def endpoint_of(self, url: str) -> str | None:
        """The Flask endpoint a same-origin URL leads to; ``None`` for another site; ``?``
        for a URL no route answers."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.base:
            return None
        adapter = self.app.url_map.bind("127.0.0.1")
        try:
            endpoint, _args = adapter.match(parts.path, method="GET")
        except RequestRedirect:
            return "?redirect"
        except HTTPException:
            return "?"
        return str(endpoint)

    def is_page(self, url: str, endpoint: str) -> bool:
        if endpoint in NOT_PAGES:
            return False
        path = urlsplit(url).path
        if path.startswith(MACHINE_PREFIXES):
            return False
        last = path.rstrip("/").rsplit("/", 1)[-1]
        return "." not in last  # file.json, booklet.pdf, chart.svg, export.csv, did.json…

    def run(self, page: Any, meter: Meter, mode: str, role: str, lang: str,
            starts: list[str], *, force_starts: bool = True) -> list[str]:
        """Crawl from ``starts`` (paths, or absolute URLs of this server); return the paths
        checked. ``page`` is logged in as ``role`` and set to ``lang`` already. The start
        pages are checked even past the per-endpoint caps, unless ``force_starts`` is off."""
        seen_urls: set[str] = set()
        per: dict[str, int] = {}
        queue: deque[str] = deque(s if s.startswith("http") else self.base + s for s in starts)
        first = set(queue) if force_starts else set()
        checked = self.checked.setdefault((mode, role, lang), [])
        before = len(checked)
        while queue:
            url = queue.popleft().split("#", 1)[0]
            if url in seen_urls:
                continue
            seen_urls.add(url)
            endpoint = self.endpoint_of(url)
            if endpoint is None:
                continue
            if endpoint.startswith("?"):
                if endpoint == "?":
                    self._fail(mode, role, lang, url, endpoint, "a link to a URL no route serves")
                continue
            if not self.is_page(url, endpoint):
                self.skipped[endpoint] = self.skipped.get(endpoint, 0) + 1
                continue
            self.reached.setdefault(role, set()).add(endpoint)  # linked, even if not opened
            if url not in first and (per.get(endpoint, 0) >= self.per_endpoint or self.by_lang.get(
                    (mode, lang, endpoint), 0) >= self.per_endpoint_all_roles):
                continue
            per[endpoint] = per.get(endpoint, 0) + 1
            links = self.check(page, meter, mode, role, lang, url, endpoint, per)
            if links is not None:
                queue.extend(links)
        return checked[before:]

    def check(self, page: Any, meter: Meter, mode: str, role: str, lang: str, url: str,
              endpoint: str, per: dict[str, int]) -> list[str] | None:
        """Open ``url`` and check it; its links, or ``None`` when it is not an HTML page."""
        meter.reset()
        try:
            response = page.goto(url, wait_until="load")
        except Exception as exc:  # a download starts: not a page
            if "Download is starting" in str(exc):
                self.skipped[endpoint] = self.skipped.get(endpoint, 0) + 1
                return None
            raise
        final = page.url.split("#", 1)[0]
        landed = self.endpoint_of(final) or endpoint
        if response is None or "html" not in (response.headers.get("content-type") or ""):
            self.skipped[endpoint] = self.skipped.get(endpoint, 0) + 1
            return None
        if landed != endpoint:  # redirected (to the login page, to a list…)
            if per.get(landed, 0) >= self.per_endpoint:
                return None
            per[landed] = per.get(landed, 0) + 1
        return self.check_open_page(page, meter, mode, role, lang, landed, response.status)

    def check_open_page(self, page: Any, meter: Meter, mode: str, role: str, lang: str,
                        endpoint: str, status: int = 200) -> list[str]:
        """Check the page the browser shows now; return its same-origin links."""
        path = urlsplit(page.url).path + (
            "?" + urlsplit(page.url).query if urlsplit(page.url).query else "")

        def fail(problem: str) -> None:
            self._fail(mode, role, lang, path, endpoint, problem)

        self.reached.setdefault(role, set()).add(endpoint)
        key = (mode, lang, endpoint)
        self.by_lang[key] = self.by_lang.get(key, 0) + 1
        self.checked.setdefault((mode, role, lang), []).append(path)
        if status >= 400:
            fail(f"HTTP {status}")
        for v in axe_violations(page):
            fail(f"axe {v['id']} ({v['impact']}): {v['help']} — {v['nodes'][:3]}")
        geometry = page.evaluate(OVERFLOW_JS)
        if geometry["scroll"] > geometry["inner"]:
            fail(f"scrolls sideways: {geometry['scroll']} px wide for {geometry['inner']} px")
        for what in geometry["wide"]:
            fail(f"too wide: {what}")
        if geometry["lang"] != lang:
            fail(f"<html lang={geometry['lang']!r}>, not {lang!r}")
        weight = meter.total()
        if weight > MAX_BYTES:
            fail(f"weighs {weight // 1024} KB (> {MAX_BYTES // 1024} KB): {meter.biggest()}")
        links: list[str] = page.eval_on_selector_all(
            # SVG links (the comparison chart's axes) have an SVGAnimatedString href: resolve
            # the attribute against the page instead
            "a[href]",
            "els => els.map(e => new URL(e.getAttribute('href'), document.baseURI).href)")
        return links

    def _fail(self, mode: str, role: str, lang: str, url: str, endpoint: str,
              problem: str) -> None:
        path = url.removeprefix(self.base)
        self.failures.append(Failure(mode, role, lang, path, endpoint, problem))


class Meter:
    """Counts the bytes a page loads (encoded, as transferred), through the DevTools protocol,
    with the browser cache off so every page is weighed as on a first visit."""

    def __init__(self, context: Any, page: Any) -> None:
        self.sizes: dict[str, int] = {}
        self.urls: dict[str, str] = {}
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict[str, Any]) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event: dict[str, Any]) -> None:
        self.sizes[event["requestId"]] = int(event.get("encodedDataLength", 0))

    def reset(self) -> None:
        self.sizes.clear()
        self.urls.clear()

    def total(self) -> int:
        time.sleep(0.05)  # let the last loadingFinished events arrive
        self.cdp.send("Runtime.evaluate", {"expression": "1"})
        return sum(self.sizes.values())

    def biggest(self) -> str:
        top = sorted(self.sizes.items(), key=lambda kv: -kv[1])[:3]
        return ", ".join(
            f"{self.urls.get(k, k).rsplit('/', 1)[-1][:40]} {v // 1024} KB" for k, v in top)


def summary(failures: list[Failure]) -> str:
    return json.dumps([f.line() for f in failures], indent=1, ensure_ascii=False)
