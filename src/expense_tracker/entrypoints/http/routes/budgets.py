"""/api/budgets: create, list, get, change, delete, and the status of a month."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status

from ....domain.budgets import Budget, BudgetStatus, parse_month
from ....domain.money import format_amount
from ....services import budgets as svc
from ..deps import ContainerDep, PrincipalDep
from ..plan_schemas import BudgetCreate, BudgetList, BudgetOut, BudgetStatusList, BudgetUpdate
from .common import problems
from .expenses import parse_if_match

router = APIRouter(prefix="/api/budgets", tags=["budgets"])
OWNER = {"userId", "user_id"}
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=64)]


def budget_out(budget: Budget) -> dict[str, Any]:
    return {
        "id": budget.id,
        "category": budget.category,
        "amount": format_amount(budget.amount, budget.currency),
        "currency": budget.currency,
        "period": budget.period,
        "version": budget.version,
    }


def status_out(item: BudgetStatus) -> dict[str, Any]:
    budget = item.budget

    def money(value: Any) -> str:
        return format_amount(value, budget.currency)

    return {
        "budget_id": budget.id,
        "category": budget.category,
        "currency": budget.currency,
        "period": budget.period,
        "limit": money(budget.amount),
        "spent": money(item.spent),
        "remaining": money(item.remaining),
        "projected": money(item.projected),
        "status": item.status,
        "missing": [
            {
                "currency": m.currency,
                "count": m.count,
                "amount": format_amount(m.amount, m.currency),
            }
            for m in item.missing
        ],
    }


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=BudgetOut,
    operation_id="create_budget",
    responses=problems(409),
)
def create_budget(
    body: BudgetCreate, response: Response, principal: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    budget = svc.create_budget(
        plans=c.plans,
        profiles=c.profiles,
        user_id=principal.user_id,
        raw=body.model_dump(exclude_unset=True, exclude=OWNER),
    )
    response.headers["Location"] = f"/api/budgets/{budget.id}"
    response.headers["ETag"] = f'"{budget.version}"'
    return budget_out(budget)


@router.get("", response_model=BudgetList, operation_id="list_budgets", responses=problems())
def list_budgets(
    principal: PrincipalDep, c: ContainerDep, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    page = svc.list_budgets(plans=c.plans, user_id=principal.user_id, limit=limit, cursor=cursor)
    return {"items": [budget_out(b) for b in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/status", response_model=BudgetStatusList, operation_id="budget_status", responses=problems()
)
def budget_status(
    principal: PrincipalDep,
    c: ContainerDep,
    month: Annotated[str | None, Query(max_length=7, description="YYYY-MM; default: now")] = None,
) -> dict[str, Any]:
    first = parse_month(month) if month is not None else c.clock.today().replace(day=1)
    items = svc.budget_status(
        store=c.store,
        plans=c.plans,
        rates=c.rates,
        clock=c.clock,
        user_id=principal.user_id,
        month=first,
    )
    return {"month": f"{first:%Y-%m}", "items": [status_out(i) for i in items]}


@router.get(
    "/{budget_id}", response_model=BudgetOut, operation_id="get_budget", responses=problems(404)
)
def get_budget(
    budget_id: str, response: Response, principal: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    budget = svc.get_budget(plans=c.plans, user_id=principal.user_id, budget_id=budget_id)
    response.headers["ETag"] = f'"{budget.version}"'
    return budget_out(budget)


@router.patch(
    "/{budget_id}",
    response_model=BudgetOut,
    operation_id="update_budget",
    responses=problems(404, 412),
)
def update_budget(
    budget_id: str,
    body: BudgetUpdate,
    response: Response,
    principal: PrincipalDep,
    c: ContainerDep,
    if_match: Annotated[str | None, Header(max_length=64)] = None,
) -> dict[str, Any]:
    budget = svc.update_budget(
        plans=c.plans,
        user_id=principal.user_id,
        budget_id=budget_id,
        changes=body.model_dump(exclude_unset=True, exclude=OWNER),
        if_match=parse_if_match(if_match),
    )
    response.headers["ETag"] = f'"{budget.version}"'
    return budget_out(budget)


@router.delete(
    "/{budget_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_budget",
    responses=problems(404),
)
def delete_budget(budget_id: str, principal: PrincipalDep, c: ContainerDep) -> Response:
    svc.delete_budget(plans=c.plans, user_id=principal.user_id, budget_id=budget_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
