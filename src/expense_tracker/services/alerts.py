"""Alerts: a budget at risk or over (once per budget, period and kind) and possible duplicate
expenses; listed, dismissed, and optionally e-mailed once each.

Raising is all-or-nothing with a marker record whose id names what the alert is about, so the
same crossing or duplicate never raises two alerts, however often it is checked. E-mail is at
most once: the alert is marked `emailed` (a versioned write) before the message is sent."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from ulid import ULID

from ..domain.budgets import BudgetStatus
from ..domain.duplicates import WINDOW_DAYS, is_possible_duplicate
from ..domain.errors import ExpenseError, PreconditionFailed
from ..domain.expense import Expense, ExpenseFilter
from ..domain.money import format_amount
from ..ports import Clock, ExpenseStore
from ..ports.mail import Mailer
from ..ports.plans import ALERT, ALERT_MARK, SETTINGS, PlanRecord, PlanStore
from ..ports.rates import Rates
from .budgets import budget_status
from .plan_records import Page, known_id, page_of

log = logging.getLogger(__name__)

NEIGHBOURS_MAX = 200  # expenses looked at around a new one for duplicates
ALERT_SETTINGS_ID = "alerts"


@dataclass(frozen=True)
class Alert:
    id: str
    kind: str
    created_at: str
    message: str
    refs: Mapping[str, object]
    emailed: bool = False


@dataclass(frozen=True)
class Notify:
    """Where and how to e-mail a new alert (None mailer or address: no e-mail)."""

    mailer: Mailer | None
    address: str | None


def alert_from_record(record: PlanRecord) -> Alert:
    b = record.body
    refs = b.get("refs")
    return Alert(
        id=record.id,
        kind=str(b["kind"]),
        created_at=str(b["created_at"]),
        message=str(b["message"]),
        refs=dict(refs) if isinstance(refs, Mapping) else {},
        emailed=bool(b.get("emailed")),
    )


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def raise_alert(
    plans: PlanStore,
    clock: Clock,
    user_id: str,
    *,
    about: str,
    kind: str,
    message: str,
    refs: Mapping[str, object],
    notify: Notify | None = None,
) -> Alert | None:
    """The new alert, or None when one about the same thing was raised before."""
    body = {
        "kind": kind,
        "created_at": _utc(clock.now()),
        "message": message,
        "refs": dict(refs),
        "emailed": False,
    }
    record = PlanRecord(user_id, ALERT, str(ULID()), body)
    mark = PlanRecord(user_id, ALERT_MARK, about, {"alert_id": record.id})
    if not plans.create([mark, record]):
        return None
    if notify is not None:
        email_alert(plans, record, notify)
    return alert_from_record(record)


def emails_wanted(plans: PlanStore, user_id: str) -> bool:
    """The user's unsubscribe setting; subscribed until they say otherwise."""
    try:
        return bool(plans.get(user_id, SETTINGS, ALERT_SETTINGS_ID).body.get("emails", True))
    except ExpenseError:
        return True


def set_emails_wanted(plans: PlanStore, user_id: str, wanted: bool) -> bool:
    record = PlanRecord(user_id, SETTINGS, ALERT_SETTINGS_ID, {"emails": wanted})
    if plans.create([record]):
        return wanted
    current = plans.get(user_id, SETTINGS, ALERT_SETTINGS_ID)
    plans.replace(
        PlanRecord(user_id, SETTINGS, ALERT_SETTINGS_ID, {"emails": wanted}, current.version + 1),
        expected_version=current.version,
    )
    return wanted


def email_alert(plans: PlanStore, record: PlanRecord, notify: Notify) -> bool:
    """At most once: claim the alert (emailed=True, conditional on its version), then send.
    A failed send is logged and not retried (the alert is still shown in the app)."""
    if notify.mailer is None or not notify.address or not emails_wanted(plans, record.user_id):
        return False
    claimed = PlanRecord(
        record.user_id, ALERT, record.id, {**record.body, "emailed": True}, record.version + 1
    )
    try:
        plans.replace(claimed, expected_version=record.version)
    except PreconditionFailed:
        return False  # another run claimed it
    try:
        notify.mailer.send(
            notify.address, f"expense-tracker: {record.body['message']}", _mail_text(record)
        )
    except ExpenseError:
        log.warning("alert e-mail %s could not be sent", record.id)
        return False
    return True


def _mail_text(record: PlanRecord) -> str:
    return (
        f"{record.body['message']}\n\nYou can dismiss it on the Plan page, or turn these "
        "e-mails off there (Alert e-mails).\n"
    )


def duplicate_of(store: ExpenseStore, expense: Expense) -> Expense | None:
    """A possible duplicate of a new expense: an earlier one within a day that looks like it
    (the check's read; raise_duplicate is its write)."""
    window = timedelta(days=WINDOW_DAYS)
    around = ExpenseFilter(
        date_from=expense.date - window,
        date_to=expense.date + window,
        money=(expense.amount, expense.currency),  # only candidates: one narrow indexed read
    )
    for count, other in enumerate(store.iterate(expense.user_id, around)):
        if count >= NEIGHBOURS_MAX:
            break
        if is_possible_duplicate(expense, other):
            return other
    return None


def raise_duplicate(
    plans: PlanStore, clock: Clock, expense: Expense, other: Expense, notify: Notify | None
) -> Alert | None:
    """The check's write: the alert that `expense` looks like `other` (once)."""
    amount = f"{format_amount(expense.amount, expense.currency)} {expense.currency}"
    return raise_alert(
        plans,
        clock,
        expense.user_id,
        about=f"dup{expense.id}",
        kind="possible_duplicate",
        message=f"{amount} on {expense.date} looks like a duplicate of an expense on {other.date}",
        refs={"expense_id": expense.id, "duplicate_of": other.id},
        notify=notify,
    )


def check_budgets(
    *,
    store: ExpenseStore,
    plans: PlanStore,
    rates: Rates,
    clock: Clock,
    user_id: str,
    notify: Notify | None = None,
    touching: Expense | None = None,
) -> list[Alert]:
    """Alerts for the budgets of the current period that are at risk or over (with
    `touching`: only those a new expense counts towards; listing the alerts checks them all)."""
    due = budgets_past_ok(
        store=store, plans=plans, rates=rates, clock=clock, user_id=user_id, touching=touching
    )
    return raise_budget_alerts(plans, clock, user_id, due, notify)


def budgets_past_ok(
    *,
    store: ExpenseStore,
    plans: PlanStore,
    rates: Rates,
    clock: Clock,
    user_id: str,
    touching: Expense | None = None,
) -> list[BudgetStatus]:
    """The check's reads alone: the current period's budgets at risk or over."""
    today = clock.today()
    return [
        status
        for status in budget_status(
            store=store,
            plans=plans,
            rates=rates,
            clock=clock,
            user_id=user_id,
            month=today.replace(day=1),
            touching=touching,
        )
        if status.status != "ok"
    ]


def raise_budget_alerts(
    plans: PlanStore,
    clock: Clock,
    user_id: str,
    statuses: list[BudgetStatus],
    notify: Notify | None = None,
) -> list[Alert]:
    """The check's writes: an alert per budget past ok, unless raised before."""
    raised = []
    for status in statuses:
        alert = _budget_alert(plans, clock, user_id, status, notify)
        if alert is not None:
            raised.append(alert)
    return raised


def _budget_alert(
    plans: PlanStore, clock: Clock, user_id: str, status: BudgetStatus, notify: Notify | None
) -> Alert | None:
    budget = status.budget
    kind = "budget_over" if status.status == "over" else "budget_at_risk"
    name = budget.category or "Everything"

    def money(amount: Decimal) -> str:
        return f"{format_amount(amount, budget.currency)} {budget.currency}"

    if kind == "budget_over":
        message = f"{name}: {money(status.spent)} spent, over the budget of {money(budget.amount)}"
    else:
        message = (
            f"{name} will end the {budget.period} at about {money(status.projected)}, "
            f"over the budget of {money(budget.amount)}"
        )
    return raise_alert(
        plans,
        clock,
        user_id,
        about=f"{budget.id}P{status.start:%Y%m%d}{kind.replace('_', '')}",
        kind=kind,
        message=message,
        refs={
            "budget_id": budget.id,
            "period_start": status.start.isoformat(),
            "period_end": status.end.isoformat(),
        },
        notify=notify,
    )


def list_alerts(
    *, plans: PlanStore, user_id: str, limit: int = 50, cursor: str | None = None
) -> Page[Alert]:
    return page_of(plans, user_id, ALERT, alert_from_record, limit, cursor)


def dismiss_alert(*, plans: PlanStore, user_id: str, alert_id: str) -> None:
    """Gone from the list; its marker stays, so the same alert is not raised again."""
    plans.delete(user_id, ALERT, known_id(alert_id, "alert"))
