"""What adding an expense sets off besides the write: duplicate and budget alerts."""

from __future__ import annotations

import logging

from ....container import Container
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
    try:
        svc.check_duplicate(
            store=c.store,
            plans=c.plans,
            clock=c.clock,
            expense=expense,
            notify=notify(c, principal),
        )
        svc.check_budgets(
            store=c.store,
            plans=c.plans,
            rates=c.rates,
            clock=c.clock,
            user_id=principal.user_id,
            notify=notify(c, principal),
            touching=expense,  # only the budgets it counts towards: one indexed read, or none
        )
    except ExpenseError:
        log.warning("alert checks failed after adding expense %s", expense.id, exc_info=True)
