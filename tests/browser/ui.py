"""What a person does on the pages, as small helpers over a Playwright page."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import ConsoleMessage, FilePayload, Locator, Page, expect

PASSWORD = "correct horse battery staple"


def eventually(check: Callable[[], bool], seconds: float = 30) -> None:
    """Wait for something the page does on its own clock (an undo offer running out)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.2)


def upload(name: str, mime_type: str, data: bytes) -> FilePayload:
    """A file for set_input_files, made in memory."""
    return {"name": name, "mimeType": mime_type, "buffer": data}


@dataclass
class Tab:
    """A page plus everything it printed to the console as an error."""

    page: Page
    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url', '')})")

    def allow(self, pattern: str) -> None:
        """Expect this console error: the browser logs every 4xx answer, wanted or not."""
        self.allowed.append(re.compile(pattern))

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]

    # Sign-in page

    def sign_up(self, email: str, password: str = PASSWORD) -> None:
        self.page.goto("/login.html")
        self.page.get_by_role("button", name="Create an account").click()
        form = self.page.locator("#signup-form")
        form.get_by_label("E-mail").fill(email)
        form.get_by_label("Password").fill(password)
        form.get_by_role("button", name="Create account").click()

    def sign_in(
        self, email: str, password: str = PASSWORD, *, expect_dashboard: bool = True
    ) -> None:
        self.page.goto("/login.html")
        self.sign_in_here(email, password)
        if expect_dashboard:
            self.wait_for_dashboard()

    def sign_in_here(self, email: str, password: str = PASSWORD) -> None:
        """Fill and send the sign-in form of the login page already open."""
        form = self.page.locator("#signin-form")
        form.get_by_label("E-mail").fill(email)
        form.get_by_label("Password").fill(password)
        form.get_by_role("button", name="Sign in").click()

    def wait_for_dashboard(self) -> None:
        self.page.wait_for_url("**/tracker.html*")
        expect(self.page.locator("body")).to_have_attribute("data-ready", "true")

    def message(self) -> Locator:
        return self.page.locator("#auth-message")

    # Dashboard

    def fill_expense(self, form: Locator, **values: str) -> None:
        for name, value in values.items():
            form.get_by_label(name.capitalize(), exact=True).fill(value)

    def add_expense(self, **values: str) -> None:
        """Fill the add form (only the fields given), submit it, wait for the new row."""
        form = self.page.locator("#expense-form")
        self.fill_expense(form, **values)
        before = self.rows().count()
        form.get_by_role("button", name="Add expense").click()
        expect(self.rows()).to_have_count(before + 1)

    def rows(self) -> Locator:
        return self.page.locator("#expense-list > li")

    def row(self, description: str) -> Locator:
        return self.rows().filter(has_text=description)

    def amounts(self) -> list[str]:
        return self.page.locator("#expense-list .expense-amount").all_inner_texts()

    def descriptions(self) -> list[str]:
        return self.page.locator("#expense-list .expense-description").all_inner_texts()

    def filter(self, **values: str) -> None:
        """Set filters (from, to, category, q) the way a person does, then wait for the list."""
        labels = {"from": "From", "to": "To", "category": "Category", "q": "Search"}
        filters = self.page.locator("#filters")
        for name, value in values.items():
            filters.get_by_label(labels[name], exact=True).fill(value)
        filters.get_by_label("Search").press("Enter")

    def session(self) -> dict[str, Any]:
        value: dict[str, Any] = self.page.evaluate(
            "() => JSON.parse(sessionStorage.getItem('expense-tracker.session') || 'null')"
        )
        return value

    def chart_data(self, chart_id: str) -> dict[str, Any]:
        """What a drawn chart shows, read from its SVG: the labels of its bands, a series per
        original currency (from the legend) with each band's original amount (None: no bar),
        and how many bars were drawn with a visible size."""
        self.page.wait_for_function(
            "(id) => document.querySelectorAll(`#${id} .band`).length > 0", arg=chart_id
        )
        data: dict[str, Any] = self.page.evaluate(
            """(id) => {
                const svg = document.getElementById(id);
                const bands = [...svg.querySelectorAll('.band')];
                const series = [...svg.querySelectorAll('.legend-item')]
                    .map((item) => item.dataset.series);
                const bar = (band, name) => [...band.querySelectorAll('.bar')]
                    .find((rect) => rect.dataset.series === name);
                return {
                    labels: bands.map((band) => band.dataset.label),
                    datasets: series.map((name) => ({label: name, amounts: bands.map(
                        (band) => bar(band, name)?.dataset.amount ?? null)})),
                    drawn: [...svg.querySelectorAll('.bar')].filter((rect) => {
                        const box = rect.getBBox(); return box.width > 0 && box.height > 0;
                    }).length,
                };
            }""",
            chart_id,
        )
        return data
