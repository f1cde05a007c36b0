"""/api/alerts: budget and duplicate alerts; dismiss; the e-mail (unsubscribe) setting."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from ....services import alerts as svc
from ..deps import ContainerDep, PrincipalDep
from ..plan_schemas import AlertList, AlertSettings, AlertSettingsOut
from .budgets import Cursor, Limit
from .common import problems
from .expense_hooks import notify

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


@router.get("", response_model=AlertList, operation_id="list_alerts", responses=problems())
def list_alerts(
    principal: PrincipalDep, c: ContainerDep, limit: Limit = 50, cursor: Cursor = None
) -> dict[str, Any]:
    if cursor is None:  # the first page brings the current period's budget alerts up to date
        svc.check_budgets(
            store=c.store,
            plans=c.plans,
            rates=c.rates,
            clock=c.clock,
            user_id=principal.user_id,
            notify=notify(c, principal),
        )
    page = svc.list_alerts(plans=c.plans, user_id=principal.user_id, limit=limit, cursor=cursor)
    items = [
        {
            "id": a.id,
            "kind": a.kind,
            "created_at": a.created_at,
            "message": a.message,
            "refs": {k: str(v) for k, v in a.refs.items()},
        }
        for a in page.items
    ]
    return {"items": items, "next_cursor": page.next_cursor}


@router.get(
    "/settings",
    response_model=AlertSettingsOut,
    operation_id="get_alert_settings",
    responses=problems(),
)
def get_settings(principal: PrincipalDep, c: ContainerDep) -> dict[str, Any]:
    return {"emails": svc.emails_wanted(c.plans, principal.user_id)}


@router.patch(
    "/settings",
    response_model=AlertSettingsOut,
    operation_id="update_alert_settings",
    responses=problems(),
)
def update_settings(
    body: AlertSettings, principal: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    return {"emails": svc.set_emails_wanted(c.plans, principal.user_id, body.emails)}


@router.post(
    "/{alert_id}/dismiss",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="dismiss_alert",
    responses=problems(404),
)
def dismiss_alert(alert_id: str, principal: PrincipalDep, c: ContainerDep) -> Response:
    svc.dismiss_alert(plans=c.plans, user_id=principal.user_id, alert_id=alert_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
