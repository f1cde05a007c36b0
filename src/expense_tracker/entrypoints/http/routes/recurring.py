"""/api/recurring: recurring expenses from an RRULE; create, list, get, change, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Response, status

from ....domain.money import format_amount
from ....domain.recurrence import Series
from ....ports import Clock
from ....services import recurring as svc
from ..deps import ContainerDep, PrincipalDep
from ..plan_schemas import RecurringCreate, RecurringList, RecurringOut, RecurringUpdate
from .budgets import OWNER, Cursor, Limit
from .common import problems
from .expenses import parse_if_match

router = APIRouter(prefix="/api/recurring", tags=["recurring"])


def series_out(series: Series, clock: Clock) -> dict[str, Any]:
    upcoming = svc.next_date(series, clock)
    return {
        "id": series.id,
        "amount": format_amount(series.amount, series.currency),
        "currency": series.currency,
        "category": series.category,
        "description": series.description,
        "rule": series.rule,
        "start": series.start.isoformat(),
        "until": series.until.isoformat() if series.until else None,
        "next": upcoming.isoformat() if upcoming else None,
        "version": series.version,
    }


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RecurringOut,
    operation_id="create_recurring",
    responses=problems(409),
)
def create_recurring(
    body: RecurringCreate, response: Response, principal: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    series = svc.create_series(
        plans=c.plans,
        store=c.store,
        profiles=c.profiles,
        clock=c.clock,
        user_id=principal.user_id,
        raw=body.model_dump(exclude_unset=True, exclude=OWNER),
    )
    response.headers["Location"] = f"/api/recurring/{series.id}"
    response.headers["ETag"] = f'"{series.version}"'
    return series_out(series, c.clock)


@router.get("", response_model=RecurringList, operation_id="list_recurring", responses=problems())
def list_recurring(
    principal: PrincipalDep, c: ContainerDep, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    page = svc.list_series(plans=c.plans, user_id=principal.user_id, limit=limit, cursor=cursor)
    return {
        "items": [series_out(s, c.clock) for s in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/{series_id}",
    response_model=RecurringOut,
    operation_id="get_recurring",
    responses=problems(404),
)
def get_recurring(
    series_id: str, response: Response, principal: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    series = svc.get_series(plans=c.plans, user_id=principal.user_id, series_id=series_id)
    response.headers["ETag"] = f'"{series.version}"'
    return series_out(series, c.clock)


@router.patch(
    "/{series_id}",
    response_model=RecurringOut,
    operation_id="update_recurring",
    responses=problems(404, 412),
)
def update_recurring(
    series_id: str,
    body: RecurringUpdate,
    response: Response,
    principal: PrincipalDep,
    c: ContainerDep,
    if_match: Annotated[str | None, Header(max_length=64)] = None,
) -> dict[str, Any]:
    series = svc.update_series(
        plans=c.plans,
        store=c.store,
        clock=c.clock,
        user_id=principal.user_id,
        series_id=series_id,
        changes=body.model_dump(exclude_unset=True, exclude=OWNER),
        if_match=parse_if_match(if_match),
    )
    response.headers["ETag"] = f'"{series.version}"'
    return series_out(series, c.clock)


@router.delete(
    "/{series_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_recurring",
    responses=problems(404),
)
def delete_recurring(series_id: str, principal: PrincipalDep, c: ContainerDep) -> Response:
    svc.delete_series(plans=c.plans, user_id=principal.user_id, series_id=series_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
