"""Lighthouse-like proxies for the pages, measured in headless Chromium with Playwright:
cumulative layout shift (CLS) and total blocking time (TBT: the part of each main-thread task
over 50 ms, from the first contentful paint until the page is ready and the network quiet),
on a phone-sized screen with the CPU slowed 4× (Lighthouse's mobile setting) and on a desktop.
They cross-check Lighthouse's own figures (benchmarks/lighthouse.py): the same browser APIs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, ViewportSize
from tests.browser.ui import Tab

from .report import table

PHONE: ViewportSize = {"width": 412, "height": 823}  # Lighthouse's mobile screen
DESKTOP: ViewportSize = {"width": 1350, "height": 940}
# Set before any page script runs (CDP, so the page's CSP does not apply).
OBSERVE = """(() => {
  const vitals = window.__vitals = {cls: 0, fcp: null, longTasks: []};
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) vitals.cls += e.value;
  }).observe({type: "layout-shift", buffered: true});
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) vitals.longTasks.push([e.startTime, e.duration]);
  }).observe({type: "longtask", buffered: true});
  new PerformanceObserver((list) => {
    const paint = list.getEntries().find((e) => e.name === "first-contentful-paint");
    if (paint) vitals.fcp = paint.startTime;
  }).observe({type: "paint", buffered: true});
})()"""
READ = """() => { const v = window.__vitals;
  const tbt = v.longTasks.filter(([start]) => v.fcp !== null && start >= v.fcp)
    .reduce((sum, [, duration]) => sum + Math.max(0, duration - 50), 0);
  return {cls: v.cls, tbt, fcp: v.fcp}; }"""


@dataclass
class Vitals:
    label: str
    cls: float
    tbt_ms: float
    fcp_ms: float


def measure(browser: Browser, base_url: str, email: str, page: str, phone: bool) -> Vitals:
    context = browser.new_context(
        base_url=base_url,
        viewport=PHONE if phone else DESKTOP,
        reduced_motion="reduce",
    )
    try:
        tab = Tab(context.new_page())
        if page == "dashboard":
            tab.sign_in(email)  # the session, then a cold measured load of the dashboard
        tab.page.add_init_script(OBSERVE)
        cdp = context.new_cdp_session(tab.page)
        if phone:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        tab.page.goto("/tracker.html" if page == "dashboard" else "/login.html")
        if page == "dashboard":
            tab.wait_for_dashboard()
        tab.page.wait_for_load_state("networkidle")
        found: dict[str, Any] = tab.page.evaluate(READ)
        size = "phone, CPU 4× slower" if phone else "desktop"
        return Vitals(f"{page} ({size})", found["cls"], found["tbt"], found["fcp"] or 0)
    finally:
        context.close()


def collect(browser: Browser, base_url: str, email: str) -> list[Vitals]:
    """The sign-in page first: the baseline, with no data and no charts."""
    return [
        measure(browser, base_url, email, page, phone)
        for page in ("login", "dashboard")
        for phone in (True, False)
    ]


def vitals_table(rows: list[Vitals]) -> str:
    return table(
        ["page", "CLS", "TBT proxy", "first contentful paint"],
        [[v.label, f"{v.cls:.3f}", f"{v.tbt_ms:.0f} ms", f"{v.fcp_ms:.0f} ms"] for v in rows],
    )  # fmt: skip
