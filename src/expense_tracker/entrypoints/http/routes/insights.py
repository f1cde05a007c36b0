"""/api/categories and /api/analytics/summary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ....domain.money import format_amount
from ....services import expenses as svc
from ..deps import ContainerDep, PrincipalDep
from ..schemas import CategoryList, SummaryOut
from .common import DateFrom, DateTo, problems

router = APIRouter(prefix="/api", tags=["insights"])


@router.get(
    "/categories", response_model=CategoryList, operation_id="list_categories", responses=problems()
)
def categories(principal: PrincipalDep, c: ContainerDep) -> dict[str, Any]:
    items = svc.list_categories(store=c.store, user_id=principal.user_id)
    return {"items": [{"name": i.name, "count": i.count} for i in items]}


@router.get(
    "/analytics/summary",
    response_model=SummaryOut,
    response_model_by_alias=True,
    operation_id="summary",
    responses=problems(),
)
def summary(
    principal: PrincipalDep, c: ContainerDep, date_from: DateFrom = None, date_to: DateTo = None
) -> dict[str, Any]:
    s = svc.summarize_expenses(
        store=c.store, user_id=principal.user_id, date_from=date_from, date_to=date_to
    )
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
            }
            for t in s.by_category
        ],
        "by_month": [
            {
                "month": t.month,
                "currency": t.currency,
                "amount": format_amount(t.amount, t.currency),
                "count": t.count,
            }
            for t in s.by_month
        ],
    }
