"""/api/categories and /api/analytics/summary."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ....services import expenses as svc
from ....services.summary import summarize_expenses
from ..deps import ContainerDep, PrincipalDep
from ..read_bodies import expense_filter, summary_body
from ..responses import json_response
from ..schemas import CategoryList, SummaryOut
from .common import CategoryQ, DateFrom, DateTo, TextQ, problems

# Answers are serialised once (responses.py); response_model is for the OpenAPI document.
router = APIRouter(prefix="/api", tags=["insights"])


@router.get(
    "/categories", response_model=CategoryList, operation_id="list_categories", responses=problems()
)
def categories(principal: PrincipalDep, c: ContainerDep) -> Response:
    items = svc.list_categories(store=c.store, user_id=principal.user_id)
    return json_response({"items": [{"name": i.name, "count": i.count} for i in items]})


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
