"""/api/expenses: add, list, get, change, delete."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from ....domain.errors import BadRequest
from ....domain.expense import RawExpense
from ....services import expenses as svc
from ....services.scans import add_scanned_expense
from ....services.transfer import public_record
from ..deps import ContainerDep, PrincipalDep
from ..expense_answers import add_plain, created, etag, one_expense
from ..read_bodies import expense_filter
from ..responses import json_response
from ..schemas import ExpenseCreate, ExpenseList, ExpenseOut, ExpenseUpdate
from .common import CategoryQ, DateFrom, DateTo, TextQ, problems
from .expense_hooks import after_expense_added

# The routes answer with json_response (serialised once, no second validation: responses.py);
# response_model stays for the OpenAPI document.
router = APIRouter(prefix="/api/expenses", tags=["expenses"])

EXPENSE_LINKS = {
    "GetExpense": {
        "operationId": "get_expense",
        "parameters": {"expense_id": "$response.body#/id"},
    },
    "UpdateExpense": {
        "operationId": "update_expense",
        "parameters": {"expense_id": "$response.body#/id"},
    },
    "DeleteExpense": {
        "operationId": "delete_expense",
        "parameters": {"expense_id": "$response.body#/id"},
    },
}


VERSION = re.compile(r"[0-9]{1,18}")


def parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not VERSION.fullmatch(text):  # ASCII digits only: str.isdigit() takes "²"
        raise BadRequest('If-Match must be a version such as "3"')
    return int(text)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ExpenseOut,
    operation_id="create_expense",
    responses={201: {"links": EXPENSE_LINKS}, **problems(404, 409)},
)
def create_expense(
    body: ExpenseCreate,
    principal: PrincipalDep,
    c: ContainerDep,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> Response:
    raw = RawExpense(body.amount, body.currency, body.category, body.description, body.date)
    if body.scan_id is None:  # the fast lane's add too (fast_adds.py)
        return created(add_plain(c, principal, raw, idempotency_key))
    expense = add_scanned_expense(
        store=c.store,
        receipts=c.receipts,
        jobs=c.jobs,
        clock=c.clock,
        profiles=c.profiles,
        user_id=principal.user_id,
        scan_id=body.scan_id,
        raw=raw,
    )
    after_expense_added(c, principal, expense)
    return created(expense)


@router.get("", response_model=ExpenseList, operation_id="list_expenses", responses=problems())
def list_expenses(
    principal: PrincipalDep,
    c: ContainerDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    category: CategoryQ = None,
    q: TextQ = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    page = svc.list_records(
        store=c.store,
        cursors=c.cursors,
        user_id=principal.user_id,
        filters=expense_filter(date_from, date_to, category, q),
        limit=limit,
        cursor=cursor,
    )
    return json_response({"items": page.items, "next_cursor": page.next_cursor})


@router.get(
    "/{expense_id}", response_model=ExpenseOut, operation_id="get_expense", responses=problems(404)
)
def get_expense(expense_id: str, principal: PrincipalDep, c: ContainerDep) -> Response:
    return one_expense(c, principal, expense_id)  # the fast lane's read too (fast_reads.py)


@router.patch(
    "/{expense_id}",
    response_model=ExpenseOut,
    operation_id="update_expense",
    responses=problems(400, 404, 412),
)
def update_expense(
    expense_id: str,
    body: ExpenseUpdate,
    principal: PrincipalDep,
    c: ContainerDep,
    if_match: Annotated[str | None, Header(max_length=64)] = None,
) -> Response:
    changes = body.model_dump(exclude_unset=True, exclude={"userId", "user_id"})
    expense = svc.update_expense(
        store=c.store,
        clock=c.clock,
        user_id=principal.user_id,
        expense_id=expense_id,
        changes=changes,
        if_match=parse_if_match(if_match),
    )
    return json_response(public_record(expense), headers={"ETag": etag(expense.version)})


@router.delete(
    "/{expense_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_expense",
    responses=problems(404),
)
def delete_expense(expense_id: str, principal: PrincipalDep, c: ContainerDep) -> Response:
    svc.delete_expense(
        store=c.store, receipts=c.receipts, user_id=principal.user_id, expense_id=expense_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
