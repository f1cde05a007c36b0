"""Alerts: possible duplicates, budget crossings once per period, dismiss, e-mail once."""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from expense_tracker.adapters.local.smtp_mail import SmtpMailer
from expense_tracker.config import Settings
from expense_tracker.domain.duplicates import is_possible_duplicate, similar
from expense_tracker.domain.expense import Expense
from expense_tracker.domain.money import parse_amount

from .plan_app import plan_app

SERIAL = itertools.count()
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def expense(amount: str, day: date, description: str, currency: str = "EUR") -> Expense:
    return Expense(
        id=f"E{next(SERIAL)}",
        user_id="u",
        amount=parse_amount(amount, currency),
        currency=currency,
        category="Food",
        description=description,
        date=day,
        created_at=NOW,
        updated_at=NOW,
    )


def test_same_amount_within_a_day_and_similar_text_is_a_possible_duplicate() -> None:
    first = expense("4.50", date(2026, 11, 19), "Coffee at Joe's")
    assert is_possible_duplicate(expense("4.50", date(2026, 11, 20), "coffee at joes"), first)
    assert is_possible_duplicate(expense("4.50", date(2026, 11, 19), "Coffee at Joe's"), first)


@pytest.mark.parametrize(
    ("amount", "day", "description", "currency"),
    [
        ("4.51", date(2026, 11, 19), "Coffee at Joe's", "EUR"),  # another amount
        ("4.50", date(2026, 11, 19), "Coffee at Joe's", "USD"),  # another currency
        ("4.50", date(2026, 11, 21), "Coffee at Joe's", "EUR"),  # two days later
        ("4.50", date(2026, 11, 19), "Bus ticket", "EUR"),  # another thing
    ],
)
def test_differences_that_are_not_duplicates(
    amount: str, day: date, description: str, currency: str
) -> None:
    first = expense("4.50", date(2026, 11, 19), "Coffee at Joe's")
    assert not is_possible_duplicate(expense(amount, day, description, currency), first)


def test_similarity_ignores_case_and_spacing() -> None:
    assert similar("Netflix  subscription", "netflix subscription")
    assert not similar("Netflix", "Groceries")


def add(client: Any, amount: str, day: str, description: str) -> dict[str, Any]:
    body = {"amount": amount, "category": "Food", "date": day, "description": description}
    response = client.post("/api/expenses", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_adding_a_duplicate_raises_one_alert_naming_both_expenses() -> None:
    with plan_app(date(2026, 11, 20)) as app:
        client = app.user("dup@example.com")
        first = add(client, "9.99", "2026-11-19", "Spotify")
        second = add(client, "9.99", "2026-11-20", "spotify")
        add(client, "3.00", "2026-11-20", "Bread")
        [alert] = client.get("/api/alerts").json()["items"]
        assert alert["kind"] == "possible_duplicate"
        assert alert["refs"] == {"expense_id": second["id"], "duplicate_of": first["id"]}
        assert alert["created_at"] == "2026-11-20T12:00:00Z"


def test_a_budget_crossing_alerts_once_per_period_and_kind() -> None:
    with plan_app(date(2026, 11, 10)) as app:
        client = app.user("once@example.com")
        client.post("/api/budgets", json={"category": "Food", "amount": "100"})
        add(client, "40", "2026-11-01", "a")  # projected 120: at risk
        add(client, "5", "2026-11-02", "b")
        client.get("/api/alerts")
        add(client, "70", "2026-11-03", "c")  # spent 115: over
        kinds = [a["kind"] for a in client.get("/api/alerts").json()["items"]]
        assert kinds == ["budget_at_risk", "budget_over"]


def test_dismissed_alerts_leave_the_list_and_others_cannot_dismiss() -> None:
    with plan_app(date(2026, 11, 20)) as app:
        owner, other = app.user("own@example.com"), app.user("oth@example.com")
        add(owner, "9.99", "2026-11-19", "Spotify")
        add(owner, "9.99", "2026-11-19", "Spotify")
        [alert] = owner.get("/api/alerts").json()["items"]
        assert other.post(f"/api/alerts/{alert['id']}/dismiss").status_code == 404
        assert owner.post(f"/api/alerts/{alert['id']}/dismiss").status_code == 204
        assert owner.get("/api/alerts").json() == {"items": [], "next_cursor": None}
        assert owner.post(f"/api/alerts/{alert['id']}/dismiss").status_code == 404


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mailer(port: int) -> SmtpMailer:
    return SmtpMailer(
        Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_sender="alerts@example.com")
    )


def test_an_alert_is_emailed_once_through_the_local_smtp_server(
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    with plan_app(date(2026, 11, 10), mailer=mailer(port)) as app:
        client = app.user("mail@example.com")
        client.post("/api/budgets", json={"category": "Food", "amount": "100"})
        add(client, "40", "2026-11-01", "a")
        add(client, "1", "2026-11-02", "b")  # still at risk: no second alert, no second mail
        client.get("/api/alerts")
    [message] = inbox.messages
    assert message["To"] == "mail@example.com"
    assert message["From"] == "alerts@example.com"
    assert "Food will end the month" in message["Subject"]


def test_unsubscribed_users_get_no_alert_emails(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    with plan_app(date(2026, 11, 10), mailer=mailer(port)) as app:
        client = app.user("quiet@example.com")
        assert client.get("/api/alerts/settings").json() == {"emails": True}
        off = client.patch("/api/alerts/settings", json={"emails": False})
        assert off.status_code == 200 and off.json() == {"emails": False}
        client.post("/api/budgets", json={"category": "Food", "amount": "100"})
        add(client, "200", "2026-11-01", "a")
        assert [a["kind"] for a in client.get("/api/alerts").json()["items"]] == ["budget_over"]
    assert inbox.messages == []


def test_an_add_leaves_other_budgets_to_the_alerts_list() -> None:
    with plan_app(date(2026, 11, 20)) as app:
        client = app.user("touching@example.com")
        user_id = client.get("/api/me").json()["user_id"]
        add(client, "50", "2026-11-02", "Dinner")  # Food, before any budget
        client.post("/api/budgets", json={"category": "Food", "amount": "10"})
        client.post("/api/budgets", json={"category": "Travel", "amount": "10"})
        travel = {"amount": "20", "category": "Travel", "date": "2026-11-03", "description": "Bus"}
        assert client.post("/api/expenses", json=travel).status_code == 201
        raised = app.container.plans.records(user_id, "alert", 50)
        assert [str(a.body["message"]).split(":")[0] for a in raised] == ["Travel"]
        kinds = {a["message"].split(":")[0] for a in client.get("/api/alerts").json()["items"]}
        assert kinds == {"Travel", "Food"}  # listing checks every budget


def test_an_add_outside_every_budget_reads_no_totals(monkeypatch: pytest.MonkeyPatch) -> None:
    with plan_app(date(2026, 11, 20)) as app:
        client = app.user("outside@example.com")
        client.post("/api/budgets", json={"category": "Travel", "amount": "10"})
        reads: list[object] = []
        original = app.container.store.day_totals

        def counted(*args: Any) -> Any:
            reads.append(args)
            return original(*args)

        monkeypatch.setattr(app.container.store, "day_totals", counted)
        add(client, "50", "2026-11-02", "Dinner")  # Food: no budget for it
        add(client, "50", "2026-10-30", "Taxi")  # last month: outside this period
        assert reads == []
        assert client.get("/api/budgets").status_code == 200
