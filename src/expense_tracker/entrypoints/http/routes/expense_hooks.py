"""What adding an expense sets off besides the write: duplicate and budget alerts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from ....container import Container
from ....domain.budgets import BudgetStatus
from ....domain.errors import ExpenseError
from ....domain.expense import Expense
from ....ports import Principal
from ....services import alerts as svc

log = logging.getLogger(__name__)


def notify(c: Container, principal: Principal) -> svc.Notify:
    return svc.Notify(c.mailer, principal.email)


def after_expense_added(c: Container, principal: Principal, expense: Expense) -> None:
    """Duplicate and budget checks for a new expense. Best effort: the expense is already
    stored, so a failure here is logged, never turned into a failed add."""
    alerts = alerts_due(c, principal, expense)
    if alerts is not None:
        alerts()


def alerts_due(c: Container, principal: Principal, expense: Expense) -> Callable[[], None] | None:
    """The checks' reads (short, never blocked by a writer: the fast lane runs them on the
    event loop); the alerts they call for as work that writes and may e-mail (for a worker
    thread), or None when there are none (nearly every add)."""
    try:
        other = svc.duplicate_of(c.store, expense)
        # touching: only the budgets it counts towards, one indexed read, or none
        budgets = svc.budgets_past_ok(
            store=c.store,
            plans=c.plans,
            rates=c.rates,
            clock=c.clock,
            user_id=principal.user_id,
            touching=expense,
        )
    except ExpenseError:
        log.warning("alert checks failed after adding expense %s", expense.id, exc_info=True)
        return None
    if other is None and not budgets:
        return None
    return partial(_raise, c, principal, expense, other, budgets)


def _raise(
    c: Container,
    principal: Principal,
    expense: Expense,
    other: Expense | None,
    budgets: list[BudgetStatus],
) -> None:
    try:
        if other is not None:
            svc.raise_duplicate(c.plans, c.clock, expense, other, notify(c, principal))
        svc.raise_budget_alerts(c.plans, c.clock, principal.user_id, budgets, notify(c, principal))
    except ExpenseError:
        log.warning("alerts could not be raised for expense %s", expense.id, exc_info=True)
