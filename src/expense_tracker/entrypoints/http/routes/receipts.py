"""/api/expenses/{id}/receipt: upload ticket, confirm, view, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from fastapi.responses import RedirectResponse

from ....services import receipts as svc
from ....services.transfer import public_record
from ..deps import ContainerDep, PrincipalDep
from ..schemas import ExpenseOut, UploadRequest, UploadTicketOut
from .common import problems, quota_of, ticket_body

router = APIRouter(prefix="/api/expenses/{expense_id}/receipt", tags=["receipts"])


@router.post(
    "/upload",
    status_code=status.HTTP_201_CREATED,
    response_model=UploadTicketOut,
    operation_id="request_receipt_upload",
    responses=problems(404, 413, 507),
)
def request_upload(
    expense_id: str, body: UploadRequest, principal: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    """A presigned POST: send every field of `fields`, then `file`, to `url`."""
    ticket = svc.request_upload(
        store=c.store,
        receipts=c.receipts,
        user_id=principal.user_id,
        expense_id=expense_id,
        content_type=body.content_type,
        size=body.size,
        quota=quota_of(c),
    )
    return ticket_body(ticket)


@router.post(
    "/confirm",
    response_model=ExpenseOut,
    operation_id="confirm_receipt",
    responses=problems(404, 409, 507),
)
def confirm(
    expense_id: str, response: Response, principal: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    """Attach the uploaded file; refused (and deleted) when it is not what was declared."""
    expense = svc.confirm_upload(
        store=c.store,
        receipts=c.receipts,
        clock=c.clock,
        user_id=principal.user_id,
        expense_id=expense_id,
        quota=quota_of(c),
    )
    response.headers["ETag"] = f'"{expense.version}"'
    return public_record(expense)


@router.get(
    "",
    status_code=status.HTTP_307_TEMPORARY_REDIRECT,
    operation_id="view_receipt",
    responses={
        307: {"description": "To a signed link valid at most five minutes"},
        **problems(404),
    },
)
def view(expense_id: str, principal: PrincipalDep, c: ContainerDep) -> RedirectResponse:
    url = svc.view_receipt(
        store=c.store, receipts=c.receipts, user_id=principal.user_id, expense_id=expense_id
    )
    return RedirectResponse(url, status_code=status.HTTP_307_TEMPORARY_REDIRECT)


@router.delete(
    "",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_receipt",
    responses=problems(404),
)
def delete(expense_id: str, principal: PrincipalDep, c: ContainerDep) -> Response:
    svc.delete_receipt(
        store=c.store,
        receipts=c.receipts,
        clock=c.clock,
        user_id=principal.user_id,
        expense_id=expense_id,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
