"""The dashboard as an app: dark mode with a lasting switch, installable and opening offline,
no layout shift while it loads, charts drawn without a chart library, undo for a removed
receipt, and no axe-core violations (issue 18)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Route, expect

from tests.browser.colors import luminance
from tests.browser.conftest import ARTIFACTS, PHONE, TabFactory
from tests.browser.test_analytics import attach_receipt, receipt_photo
from tests.browser.ui import Tab, eventually
from tests.support.api import User

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# The worker's scope once it is active, or null after 20 s (evaluate itself never times out).
WORKER_SCOPE = """() => Promise.race([
    navigator.serviceWorker.ready.then((registration) => registration.scope),
    new Promise((resolve) => setTimeout(() => resolve(null), 20000)),
])"""
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def background(tab: Tab) -> float:
    return luminance(
        tab.page.evaluate("() => getComputedStyle(document.documentElement).backgroundColor")
    )


def test_dark_mode_follows_the_system_and_the_switch_lasts(
    open_tab: TabFactory, user: User
) -> None:
    user.add(amount="9.00", category="Food", description="Soup", date="2026-11-02")
    user.add(amount="45.00", category="Transport", description="Train", date="2026-10-12")
    tab = open_tab(color_scheme="dark")
    tab.sign_in(user.email)
    switch = tab.page.get_by_role("button", name="Dark mode")
    expect(switch).to_have_attribute("aria-pressed", "true")
    assert background(tab) < 0.05
    ARTIFACTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(ARTIFACTS / "dashboard-dark.png"), full_page=True)

    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "false")
    assert background(tab) > 0.8
    tab.page.reload()
    tab.wait_for_dashboard()
    expect(switch).to_have_attribute("aria-pressed", "false")  # the choice outlives the system's
    assert background(tab) > 0.8
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    assert background(tab) < 0.05


def test_the_app_has_a_manifest_icons_and_a_service_worker(tab: Tab, user: User) -> None:
    manifest = tab.page.request.get("/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    body = json.loads(manifest.text())
    assert (body["start_url"], body["display"]) == ("/tracker.html", "standalone")
    assert {icon["purpose"] for icon in body["icons"]} == {"any", "maskable"}
    for icon in body["icons"]:
        answer = tab.page.request.get(icon["src"])
        assert answer.ok and answer.headers["content-type"] == icon["type"] == "image/svg+xml"
    worker = tab.page.request.get("/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "unsafe-inline" not in worker.headers["content-security-policy"]

    tab.sign_in(user.email)
    scope = tab.page.evaluate(WORKER_SCOPE)
    assert scope == tab.page.url.split("/tracker.html")[0] + "/"
    cdp = tab.page.context.new_cdp_session(tab.page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito, where nothing installs; nothing else may stop it.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == [], errors


WEB = Path(__file__).resolve().parents[2] / "src" / "expense_tracker" / "web"


def test_the_service_worker_keeps_every_page_and_module(tab: Tab) -> None:
    worker = tab.page.request.get("/sw.js").text()
    listed = set(re.findall(r'^  "(/[^"]+)",$', worker, re.MULTILINE))
    wanted = {f"/js/{p.name}" for p in (WEB / "js").glob("*.js")}
    wanted |= {f"/{p.name}" for p in WEB.glob("*.html")}
    wanted |= {f"/css/{p.name}" for p in (WEB / "css").glob("*.css")}
    assert wanted <= listed, sorted(wanted - listed)
    for path in sorted(listed):
        assert tab.page.request.get(path).ok, path


def go_offline_on_a_worker_served_dashboard(tab: Tab, user: User) -> None:
    tab.sign_in(user.email)
    assert tab.page.evaluate(WORKER_SCOPE), "no service worker"
    tab.page.reload()  # from now on the page is served through the worker
    tab.wait_for_dashboard()
    assert tab.page.evaluate("() => navigator.serviceWorker.controller !== null")
    tab.allow("ERR_INTERNET_DISCONNECTED|Failed to fetch|ERR_FAILED|ERR_CONNECTION_RESET")
    tab.page.context.set_offline(True)
    tab.page.reload()
    tab.wait_for_dashboard()


def test_offline_the_dashboard_shows_the_last_loaded_expenses_read_only(
    tab: Tab, user: User
) -> None:
    user.add(amount="9.00", category="Food", description="Soup", date="2026-11-02")
    go_offline_on_a_worker_served_dashboard(tab, user)
    banner = tab.page.locator("#offline-banner")
    expect(banner).to_have_role("status")
    expect(banner).to_contain_text("You are offline.")
    expect(banner).to_contain_text("Showing the expenses as last loaded at")
    expect(banner).to_contain_text("read-only")
    expect(tab.row("Soup")).to_have_count(1)
    expect(tab.row("Soup").get_by_role("button")).to_have_count(0)  # no edit, delete, receipt
    expect(tab.page.locator("#list-error")).to_be_hidden()

    tab.page.context.set_offline(False)
    expect(banner).to_be_hidden()
    expect(tab.row("Soup").get_by_role("button", name=re.compile("^Edit"))).to_have_count(1)
    cached = tab.page.evaluate(
        "async () => (await Promise.all((await caches.keys()).map(async (name) =>"
        " (await (await caches.open(name)).keys()).map((r) => r.url)))).flat()"
    )
    assert any(url.endswith("/tracker.html") for url in cached), cached
    assert not [url for url in cached if "/api/" in url], "API answers must never be cached"


def test_an_expense_added_offline_is_sent_once_when_the_network_returns(
    tab: Tab, user: User
) -> None:
    user.add(amount="9.00", category="Food", description="Soup", date="2026-11-02")
    go_offline_on_a_worker_served_dashboard(tab, user)
    tab.fill_expense(
        tab.page.locator("#expense-form"),
        amount="4.50",
        currency="EUR",
        category="Coffee",
        description="Espresso offline",
        date="2026-11-03",
    )
    tab.page.locator("#expense-form").get_by_role("button", name="Add expense").click()
    banner = tab.page.locator("#offline-banner")
    expect(banner).to_contain_text("1 expense is waiting to be sent.")
    queued = tab.page.evaluate("() => JSON.parse(localStorage.getItem('expense-tracker.outbox'))")
    assert len(queued) == 1 and queued[0]["key"], queued
    assert len(user.client.get("/api/expenses").json()["items"]) == 1

    # The first replay reaches the server but its answer is lost: the entry stays queued and
    # is sent again with the same Idempotency-Key, which must not add a second copy.
    lost: list[str] = []

    def lose_first_answer(route: Route) -> None:
        if route.request.method == "POST" and not lost:
            lost.append(route.request.headers["idempotency-key"])
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    tab.page.context.route("**/api/expenses", lose_first_answer)
    tab.page.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=30_000)  # sent again after a few seconds
    expect(tab.row("Espresso offline")).to_have_count(1)
    assert lost == [queued[0]["key"]]
    items = user.client.get("/api/expenses").json()["items"]
    assert sorted(e["description"] for e in items) == ["Espresso offline", "Soup"]
    assert tab.page.evaluate("() => localStorage.getItem('expense-tracker.outbox')") == "[]"


CLS = """() => new Promise((resolve) => {
    let total = 0;
    new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
    }).observe({type: "layout-shift", buffered: true});
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(total)));
})"""


def test_nothing_moves_while_the_dashboard_loads_on_a_phone(
    open_tab: TabFactory, user: User
) -> None:
    for day in range(1, 4):
        user.add(
            amount=f"{day}.00", category="Food", description=f"Day {day}", date=f"2026-11-0{day}"
        )
    tab = open_tab(viewport=PHONE)
    held: list[Route] = []
    tab.page.route(re.compile(r"/api/me$"), lambda route: held.append(route))
    tab.sign_in(user.email, expect_dashboard=False)
    tab.page.wait_for_url("**/tracker.html*")
    expect(tab.rows()).to_have_count(3)  # painted, with the account still on its way
    while not held:
        tab.page.wait_for_timeout(50)
    held[0].continue_()
    tab.wait_for_dashboard()
    shift = tab.page.evaluate(CLS)
    assert shift < 0.05, f"cumulative layout shift {shift:.3f}"


def test_the_charts_do_not_move_when_the_totals_arrive_on_a_desktop(
    open_tab: TabFactory, user: User
) -> None:
    user.add(amount="9.00", category="Food", description="Soup", date="2026-11-02")
    user.add(amount="4.00", category="Tea", description="Tea", date="2026-11-03")
    tab = open_tab()
    held: list[Route] = []
    tab.page.route(re.compile(r"/api/analytics/summary"), lambda route: held.append(route))
    tab.sign_in(user.email, expect_dashboard=False)
    tab.page.wait_for_url("**/tracker.html*")
    expect(tab.rows()).to_have_count(2)  # painted, with the totals still on their way
    expect(tab.page.locator("#analytics-status")).to_be_visible()
    while not held:
        tab.page.wait_for_timeout(50)
    for route in held:
        route.continue_()
    tab.wait_for_dashboard()
    expect(tab.page.locator("#totals > li")).to_have_count(1)
    shift = tab.page.evaluate(CLS)
    assert shift < 0.01, f"cumulative layout shift {shift:.3f}"


def test_the_charts_are_drawn_by_the_page_without_a_chart_library(
    open_tab: TabFactory, user: User
) -> None:
    user.add(amount="9.00", category="Food", description="Soup", date="2026-11-02")
    tab = open_tab(viewport={"width": 390, "height": 500})
    scripts: list[str] = []
    tab.page.on(
        "request",
        lambda request: scripts.append(request.url) if request.resource_type == "script" else None,
    )
    tab.sign_in(user.email)
    assert tab.chart_data("chart-category") == {
        "labels": ["Food"],
        "datasets": [{"label": "EUR", "amounts": ["9.00"]}],
        "drawn": 1,
    }
    assert scripts and all("/js/" in url for url in scripts), scripts  # our modules only
    tooltip = tab.page.locator("#chart-category .bar title")
    expect(tooltip).to_have_text(re.compile(r"^Food: EUR €9\.00 ≈ \$\d+\.\d\d$"))


def test_a_removed_receipt_can_be_brought_back_with_undo(tab: Tab, user: User) -> None:
    def receipt() -> object:
        return user.client.get(f"/api/expenses/{expense['id']}").json()["receipt"]

    expense = user.add(amount="23.00", category="Transport", description="Taxi", date="2026-11-05")
    attach_receipt(user, expense["id"], receipt_photo())
    tab.sign_in(user.email)
    row = tab.row("Taxi")
    row.get_by_role("button", name=re.compile("^Remove the receipt")).click()
    expect(row.locator(".receipt-thumb")).to_have_count(0)
    expect(tab.page.locator("#toast-text")).to_have_text("Receipt removed.")
    tab.page.locator("#toast").get_by_role("button", name="Undo").click()
    expect(row.locator(".receipt-thumb")).to_have_count(1)
    expect(row.get_by_role("button", name=re.compile("^Remove the receipt"))).to_be_focused()
    assert receipt() is not None

    row.get_by_role("button", name=re.compile("^Remove the receipt")).click()
    expect(row.locator(".receipt-thumb")).to_have_count(0)
    eventually(lambda: receipt() is None)  # gone for good once the offer runs out
    expect(tab.page.locator("#toast")).to_be_hidden()


def test_a_deleted_expense_can_be_brought_back_with_undo(tab: Tab, user: User) -> None:
    soup = user.add(amount="9.00", category="Food", description="Soup", date="2026-11-02")
    user.add(amount="4.00", category="Food", description="Bread", date="2026-11-01")
    tab.sign_in(user.email)
    tab.row("Soup").get_by_role("button", name=re.compile("^Delete")).click()
    tab.page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(tab.row("Soup")).to_have_count(0)
    expect(tab.page.locator("#toast-text")).to_have_text(re.compile(r"^Deleted Food €9\.00"))
    tab.page.locator("#toast").get_by_role("button", name="Undo").click()
    expect(tab.row("Soup")).to_have_count(1)
    expect(tab.row("Soup").get_by_role("button", name=re.compile("^Delete"))).to_be_focused()
    assert tab.descriptions() == ["Soup", "Bread"]
    assert user.client.get(f"/api/expenses/{soup['id']}").status_code == 200


def axe_violations(tab: Tab) -> list[dict[str, Any]]:
    """axe-core from node_modules, run in the page (CDP evaluation is not subject to the CSP)."""
    tab.page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = tab.page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map((v) => ({id: v.id, nodes: v.nodes.map((n) => n.target.join(" "))}))"""
    )
    return found


@pytest.mark.parametrize(
    ("viewport", "scheme"), [(None, "light"), (PHONE, "dark")], ids=["desktop-light", "phone-dark"]
)
def test_axe_finds_no_violations_on_either_page(
    open_tab: TabFactory, user: User, viewport: dict[str, int] | None, scheme: str
) -> None:
    user.add(amount="9.00", category="Food", description="Soup", date="2026-11-02")
    tab = open_tab(viewport=viewport, color_scheme=scheme)
    tab.page.goto("/login.html")
    assert axe_violations(tab) == []
    tab.sign_in(user.email)
    tab.page.locator("#analytics details").first.evaluate("(d) => { d.open = true; }")
    assert axe_violations(tab) == []
