"""An expense's answers, shared by the routes (routes/expenses.py) and the fast lane
(fast_reads.py, fast_adds.py), so both add, read and answer with the same code. Kept out of the
route modules so the lane loads no route (on Lambda, routes are built on first use)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from starlette.responses import Response

from ...bootstrap import Container
from ...domain.expense import Expense, RawExpense
from ...ports import Principal
from ...services import expenses as svc
from ...services.transfer import public_record
from .responses import json_response

CREATED = 201


def etag(version: int) -> str:
    return f'"{version}"'


def add_plain(
    c: Container, principal: Principal, raw: RawExpense, idempotency_key: str | None
) -> Expense:
    """An add without a scan, then its alert checks. Blocks until the add is durable."""
    expense = svc.add_expense(
        store=c.store,
        clock=c.clock,
        profiles=c.profiles,
        user_id=principal.user_id,
        raw=raw,
        idempotency_key=idempotency_key,
    )
    alerts = alerts_due(c, principal, expense)
    if alerts is not None:
        alerts()
    return expense


def alerts_due(c: Container, principal: Principal, expense: Expense) -> Callable[[], None] | None:
    """A new expense's alert checks: their reads now, their writes returned, if any
    (routes/expense_hooks.py)."""
    return _checks()(c, principal, expense)


AlertChecks = Callable[[Container, Principal, Expense], Callable[[], None] | None]


@cache
def _checks() -> AlertChecks:
    """Loaded on first use, not at the top: the Lambda app's init loads no module of routes/
    (the lane is built at init; tests/aws/test_lambda_cold_imports.py). Cached: an import
    statement per add cost more than the checks' own reads."""
    from .routes.expense_hooks import alerts_due as checks

    return checks


def created(expense: Expense) -> Response:
    headers = {"Location": f"/api/expenses/{expense.id}", "ETag": etag(expense.version)}
    return json_response(public_record(expense), CREATED, headers)


def one_expense(c: Container, principal: Principal, expense_id: str) -> Response:
    expense = svc.get_expense(store=c.store, user_id=principal.user_id, expense_id=expense_id)
    return json_response(public_record(expense), headers={"ETag": etag(expense.version)})
