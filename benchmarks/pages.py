"""Pages: bytes transferred and time to a rendered dashboard in headless Chromium, against the
real local server. Bytes are what went over the wire (CDP's encodedDataLength: headers and
bodies as sent, so a cached file counts ~0)."""

from __future__ import annotations

import gzip
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright
from tests.browser.ui import Tab
from tests.support.api import socket_api, unique_email
from tests.support.server import running_server

from . import lighthouse, page_vitals
from .dataset import csv_bytes
from .plan import Plan
from .report import Section, count, kib, ms, ratio, table

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
TIMEOUT_MS = 60_000
# Ready: the page says so (no <body> yet while the next page is parsed), the list has rows
# and both charts have bars (bar-chart.js's SVG).
RENDERED = """() => document.body?.dataset.ready === "true"
  && document.querySelectorAll("#expense-list > li").length > 0
  && document.querySelectorAll("#chart-category .bar").length > 0
  && document.querySelectorAll("#chart-month .bar").length > 0"""
LIGHTHOUSE_RUNS = 3  # each page and form factor; the median is reported
LIGHTHOUSE_RUNS_QUICK = 1
KINDS = {"Document": "HTML", "Script": "JS", "Stylesheet": "CSS", "Fetch": "API", "XHR": "API"}


@dataclass
class Meter:
    """Counts bytes on the wire per kind of resource, through the DevTools protocol."""

    page: Page
    kinds: dict[str, str] = field(default_factory=dict)
    bytes: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    encodings: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        cdp = self.page.context.new_cdp_session(self.page)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def _response(self, event: dict[str, Any]) -> None:
        self.kinds[event["requestId"]] = KINDS.get(event["type"], "other")
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        self.encodings.add(headers.get("content-encoding", "none"))

    def _finished(self, event: dict[str, Any]) -> None:
        self.bytes[self.kinds.get(event["requestId"], "other")] += int(event["encodedDataLength"])
        self.requests += 1

    def take(self) -> tuple[Counter[str], int]:
        """What was counted since the last take (after the network has gone quiet)."""
        self.page.wait_for_load_state("networkidle")
        taken, requests = self.bytes, self.requests
        self.bytes, self.requests = Counter(), 0
        return taken, requests


@dataclass
class Phase:
    label: str
    seconds: list[float] = field(default_factory=list)
    bytes: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    encodings: set[str] = field(default_factory=set)

    def record(self, seconds: float, meter: Meter) -> None:
        self.seconds.append(seconds)
        self.bytes, self.requests = meter.take()  # the same each time: the last one is kept
        self.encodings |= meter.encodings


def _timed_until(page: Page, condition: str, action: Any) -> float:
    t0 = time.perf_counter()
    action()
    page.wait_for_function(condition, timeout=TIMEOUT_MS)
    return time.perf_counter() - t0


def sign_up_phases(browser: Browser, base_url: str, email: str) -> list[Phase]:
    context = browser.new_context(base_url=base_url, reduced_motion="reduce")
    try:
        tab = Tab(context.new_page())
        meter = Meter(tab.page)
        login = Phase("login page (static, cold cache): the baseline")
        t0 = time.perf_counter()
        tab.page.goto("/login.html", wait_until="load")
        login.record(time.perf_counter() - t0, meter)
        signup = Phase("sign up → empty dashboard ready")
        ready = '() => document.body?.dataset.ready === "true"'
        signup.record(_timed_until(tab.page, ready, lambda: tab.sign_up(email)), meter)
        return [login, signup]
    finally:
        context.close()


def sign_in_phases(browser: Browser, base_url: str, email: str, runs: int) -> list[Phase]:
    cold = Phase("sign in → dashboard rendered (list + 2 charts), cold cache")
    warm = Phase("reload → dashboard rendered, warm cache")
    for _ in range(runs):
        context = browser.new_context(base_url=base_url, reduced_motion="reduce")
        try:
            tab = Tab(context.new_page())
            tab.page.goto("/login.html", wait_until="load")
            meter = Meter(tab.page)
            cold.record(
                _timed_until(
                    tab.page, RENDERED, partial(tab.sign_in, email, expect_dashboard=False)
                ),
                meter,
            )
            warm.record(_timed_until(tab.page, RENDERED, tab.page.reload), meter)
        finally:
            context.close()
    return [cold, warm]


@dataclass
class Collected:
    phases: list[Phase]
    vitals: list[page_vitals.Vitals]
    audits: list[lighthouse.Audit]
    lighthouse_seconds: float


def collect(plan: Plan, workdir: Path) -> Collected:
    with running_server(workdir / "pages-data") as server, sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            email = unique_email("pages")
            phases = sign_up_phases(browser, server.base_url, email)
            api = socket_api(server.base_url)
            token = api.log_in(email)["access_token"]
            with api.client(token) as client:
                client.post(
                    "/api/expenses/import",
                    content=csv_bytes(plan.page_rows, seed=5),
                    headers={"content-type": "text/csv"},
                ).raise_for_status()
            phases += sign_in_phases(browser, server.base_url, email, 1 if plan.quick else 3)
            vitals = page_vitals.collect(browser, server.base_url, email)
        finally:
            browser.close()
        # Its own Chromium (Lighthouse drives it through its Node API), a fresh session.
        runs = LIGHTHOUSE_RUNS_QUICK if plan.quick else LIGHTHOUSE_RUNS
        audits, seconds = lighthouse.run_audits(server.base_url, api.log_in(email), runs)
        return Collected(phases, vitals, audits, seconds)


def _rows(phases: list[Phase]) -> list[list[str]]:
    base = phases[0]
    rows = []
    for p in phases:
        t = statistics.median(p.seconds)
        total = sum(p.bytes.values())
        parts = ", ".join(f"{kind} {kib(n)}" for kind, n in p.bytes.most_common() if n)
        rows.append([
            p.label, f"{ms(t)} ({ratio(t, statistics.median(base.seconds))})",
            f"{kib(total)} ({ratio(total, sum(base.bytes.values()))})", str(p.requests), parts,
        ])  # fmt: skip
    return rows


def _charts_note() -> str:
    import expense_tracker

    module = Path(expense_tracker.__file__).parent / "web" / "js" / "bar-chart.js"
    raw = module.read_bytes()
    return (
        f"The charts are SVG drawn by the page's own bar-chart.js ({kib(len(raw))}, "
        f"{kib(len(gzip.compress(raw)))} gzip-compressed; no chart library). The server "
        "compresses the static pages for browsers that ask, never the API's answers (they "
        "carry tokens)."
    )


def run(plan: Plan, workdir: Path) -> Section:
    found = collect(plan, workdir)
    phases, vitals = found.phases, found.vitals
    section = Section(
        "Pages (headless Chromium)",
        data={"phases": phases, "vitals": vitals, "lighthouse": found.audits},
    )
    cold = phases[2]
    section.headlines.append(
        f"Pages: sign-in to a rendered dashboard in {ms(statistics.median(cold.seconds))}, "
        f"{kib(sum(cold.bytes.values()))} transferred with a cold cache (the sign-in page: "
        f"{ms(statistics.median(phases[0].seconds))}, {kib(sum(phases[0].bytes.values()))})."
    )
    section.add(
        "Debian's Chromium, headless, driven by Playwright against `expense-tracker serve` on "
        "127.0.0.1 (no network throttling), reduced motion (charts drawn without animation). "
        "Time: from the click (or navigation) until the condition holds, as seen from the "
        f"driver; median of {len(phases[-1].seconds)} fresh browser context(s) for the sign-in "
        f"rows. The user behind the dashboard has {count(plan.page_rows)} expenses; the list "
        "shows its first page. Baseline: the static sign-in page, loaded cold.",
        table(["step", "time (ratio)", "transferred (ratio)", "requests", "by kind"],
              _rows(phases)),
        "Content-Encoding of the responses: "
        + ", ".join(sorted(set().union(*(p.encodings for p in phases))))
        + f". {_charts_note()}",
    )  # fmt: skip
    section.add(
        "Layout shift and main-thread blocking, as Lighthouse's CLS and TBT read them from "
        "the browser's PerformanceObserver (a cross-check of Lighthouse's figures below): TBT "
        "sums each main-thread task's time over 50 ms from the first contentful paint until "
        "the page is ready and the network quiet. Phone: 412×823 with the CPU slowed 4× "
        "(Lighthouse's mobile setting); the sign-in page is the baseline.",
        page_vitals.vitals_table(vitals),
    )
    section.add(
        f"Lighthouse (npm `lighthouse`, Node API, Debian's Chromium via CHROME_PATH), default "
        "mobile (simulated slow 4G, CPU 4× slower) and desktop settings, each run cold (no "
        "HTTP cache, no service worker); the dashboard is signed in (the session stored in "
        "the tab as the sign-in page does) and shows the same user's data. Lighthouse is "
        f"noisy on a shared machine: each row is the median of {found.audits[0].runs} run(s), "
        "figure by figure (its failing audits: those of the median-performance run), after "
        "one unmeasured load of each page warms the browser. The sign-in page is the "
        f"baseline. Targets: {lighthouse.TARGETS}. Lighthouse took "
        f"{found.lighthouse_seconds:.0f} s.",
        lighthouse.audits_table(found.audits),
        lighthouse.cold_dashboard_line(found.audits),
    )
    return section
