"""/api/categories and /api/analytics/summary."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Response

from ....domain.money import format_amount
from ....services import expenses as svc
from ....services.summary import FullSummary, summarize_expenses
from ..deps import ContainerDep, PrincipalDep
from ..responses import json_response
from ..schemas import CategoryList, SummaryOut
from .common import CategoryQ, DateFrom, DateTo, TextQ, expense_filter, problems

# Answers are serialised once (responses.py); response_model is for the OpenAPI document.
router = APIRouter(prefix="/api", tags=["insights"])


@router.get(
    "/categories", response_model=CategoryList, operation_id="list_categories", responses=problems()
)
def categories(principal: PrincipalDep, c: ContainerDep) -> Response:
    items = svc.list_categories(store=c.store, user_id=principal.user_id)
    return json_response({"items": [{"name": i.name, "count": i.count} for i in items]})


def _home(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else format_amount(amount, currency)


@router.get(
    "/analytics/summary",
    response_model=SummaryOut,
    response_model_by_alias=True,
    operation_id="summary",
    responses=problems(),
)
def summary(
    principal: PrincipalDep,
    c: ContainerDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    category: CategoryQ = None,
    q: TextQ = None,
) -> Response:
    full = summarize_expenses(
        store=c.store,
        rates=c.rates,
        profiles=c.profiles,
        user_id=principal.user_id,
        filters=expense_filter(date_from, date_to, category, q),
    )
    return json_response(summary_body(full))


def summary_body(full: FullSummary) -> dict[str, Any]:
    """SummaryOut's shape (by alias), built from the already valid domain summary."""
    s, home = full.summary, full.home
    return {
        "from": s.date_from.isoformat() if s.date_from else None,
        "to": s.date_to.isoformat() if s.date_to else None,
        "totals": [
            {
                "currency": t.currency,
                "amount": format_amount(t.amount, t.currency),
                "count": t.count,
            }
            for t in s.totals
        ],
        "by_category": [
            {
                "category": t.category,
                "currency": t.currency,
                "amount": format_amount(t.amount, t.currency),
                "count": t.count,
                "home_amount": _home(home.by_category.get((t.category, t.currency)), home.currency),
            }
            for t in s.by_category
        ],
        "by_month": [
            {
                "month": t.month,
                "currency": t.currency,
                "amount": format_amount(t.amount, t.currency),
                "count": t.count,
                "home_amount": _home(home.by_month.get((t.month, t.currency)), home.currency),
            }
            for t in s.by_month
        ],
        "home": {
            "currency": home.currency,
            "amount": format_amount(home.amount, home.currency),
            "missing": [{"currency": m.currency, "count": m.count} for m in home.missing],
        },
    }
