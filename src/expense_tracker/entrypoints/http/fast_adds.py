"""The fast lane's add (POST /api/expenses), for fast_reads.FastReads: a plainly valid body is
parsed once and added without FastAPI's routing, dependency solving and body plumbing, which
cost most of an add's CPU.

Same rules, same answers: the body must pass the route's own model (ExpenseCreate, strict, no
unknown fields), the token is checked and the rate limit charged by the dependency's code
(deps.resolve_principal), and the add is the route's (services.expenses.new_add and the
store's add), its commit awaited on the loop (the group committer wakes it) and its alerts
raised in a worker thread, so the event loop never waits for an fsync. Anything not plainly valid
(another content type, JSON that orjson refuses, a model error, a `scan_id`, an odd
Idempotency-Key) goes on to the route with its body replayed, and gets the route's answer."""

from __future__ import annotations

from collections import deque
from functools import cache, partial
from typing import cast

import orjson
from pydantic import ValidationError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...bootstrap import Container
from ...domain.errors import ExpenseError
from ...domain.expense import Expense, RawExpense
from ...ports import AddsAwaiting, Principal
from ...services import expenses as svc
from ...services.expenses import IDEMPOTENCY_KEY_MAX
from . import problems
from .deps import bearer_token, resolve_principal
from .expense_answers import add_plain, alerts_due, created
from .lane_threads import LaneThreads
from .middleware import header
from .schemas import ExpenseCreate

IDEMPOTENCY_HEADER = b"idempotency-key"


class NotPlainAdd(Exception):
    """An add the lane leaves to the route (it validates it and says what is wrong)."""


def _is_plain_json(scope: Scope) -> bool:
    """What FastAPI reads as JSON, narrowed to the one type clients send."""
    content_type = header(scope, b"content-type")
    return content_type is not None and (
        content_type.split(b";")[0].strip().lower() == b"application/json"
    )


def _idempotency_key(scope: Scope) -> str | None:
    """The header as the route takes it (Header(max_length=255)), or NotPlainAdd."""
    values = [v for k, v in scope.get("headers", ()) if k == IDEMPOTENCY_HEADER]
    if not values:
        return None
    key = bytes(values[0]).decode("latin-1")
    if len(values) > 1 or not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX:
        raise NotPlainAdd(IDEMPOTENCY_HEADER)
    return key


def _raw_expense(body: bytes) -> RawExpense:
    """The body as the route's model validates it, or NotPlainAdd."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise NotPlainAdd("body") from exc
    if not isinstance(data, dict) or "scan_id" in data:  # a scan's add: the route's own flow
        raise NotPlainAdd("body")
    try:
        model = ExpenseCreate.model_validate(data)
    except ValidationError as exc:
        raise NotPlainAdd("body") from exc
    return RawExpense(model.amount, model.currency, model.category, model.description, model.date)


async def _messages(receive: Receive) -> list[Message]:
    """The request's body messages, kept to be replayed should the route take it."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = deque(messages)

    async def receive_again() -> Message:
        return pending.popleft() if pending else await receive()

    return receive_again


@cache
def _awaits(store_type: type) -> bool:
    """Once per store class: a Protocol isinstance check costs some 10 µs a call."""
    return issubclass(store_type, AddsAwaiting)


async def _add(
    c: Container, threads: LaneThreads, principal: Principal, raw: RawExpense, key: str | None
) -> Expense:
    """The route's add (add_plain), with the wait for the commit awaited on the loop where
    the store can: its thread would only sleep, and sleeping threads by the dozen, each
    taking the GIL back after the fsync, cost more than the add. Then the alert checks,
    once the add is durable: their reads here, the alerts they raise (writes, e-mail) in a
    worker thread."""
    if not _awaits(type(c.store)):
        # In a worker thread, as the route's add runs: it waits for its group's fsync.
        return await threads.run(partial(add_plain, c, principal, raw, key))
    expense, idempotency = svc.new_add(
        clock=c.clock,
        profiles=c.profiles,
        user_id=principal.user_id,
        raw=raw,
        idempotency_key=key,
    )
    expense = await cast(AddsAwaiting, c.store).add_async(expense, idempotency)
    alerts = alerts_due(c, principal, expense)  # reads, on the loop: a hop costs more
    if alerts is not None:
        await threads.run(alerts)
    return expense


async def add(
    app: ASGIApp,
    container: Container,
    threads: LaneThreads,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """POST /api/expenses: answered here when plain, else passed on to `app` (the routes)."""
    if not _is_plain_json(scope):
        await app(scope, receive, send)
        return
    messages = await _messages(receive)
    try:
        if messages[-1]["type"] != "http.request":
            raise NotPlainAdd("body")
        body = b"".join(m.get("body", b"") for m in messages)
        raw, key = _raw_expense(body), _idempotency_key(scope)
    except NotPlainAdd:
        await app(scope, _replay(messages, receive), send)
        return
    authorization = header(scope, b"authorization")
    token = bearer_token(authorization.decode("latin-1") if authorization else None)
    response: Response
    try:
        principal = resolve_principal(container, scope, token)
        expense = await _add(container, threads, principal, raw, key)
        response = created(expense)
    except ExpenseError as exc:
        response = problems.expense_problem(exc)
    await response(scope, receive, send)
