"""A fast lane for the hottest requests: GET /api/health, /api/expenses (a page),
/api/expenses/{id} and /api/analytics/summary, answered without FastAPI's routing, dependency
solving and query validation (most of an authenticated read's CPU), and without the
thread-pool hop; and POST /api/expenses, a plainly valid add (fast_adds.py).

Same work, same answers: the token is checked and the rate limit charged by the dependency's
own code (deps.resolve_principal), the same services read SQLite, the same bodies are built,
and errors go through the one error table (problems.py). Only a query string whose every known
parameter is plainly valid is served here; anything else (a bad date, `limit=0`, a long `q`,
HEAD, a trailing slash...) goes on to the FastAPI routes, which stay the documented contract
and give the same 422 as ever. Unknown parameters are ignored, as FastAPI ignores them.

The lane sits innermost among the middlewares, so body limits, security headers and the access
log see its answers exactly as they see the routes'."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ...bootstrap import Container
from ...domain.errors import ExpenseError
from ...ports import Principal
from . import fast_adds, problems
from .deps import bearer_token, resolve_principal
from .expense_answers import one_expense
from .lane_threads import LaneThreads
from .middleware import header
from .read_bodies import HEALTH_BODY
from .read_params import READS, SUMMARY, NotPlain, Read, check, day, query_params
from .responses import json_response

HEALTH_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [
        (b"content-length", str(len(HEALTH_BODY)).encode()),
        (b"content-type", b"application/json"),
    ],
}
ADDS = "/api/expenses"
ONE_PREFIX = "/api/expenses/"
# An id services.expenses.known_id takes; other text gets the route's answer. NOT_IDS: the
# paths of other GET routes under /api/expenses/ (the export, matched before {id}).
PLAIN_ID = re.compile(r"[0-9A-Za-z]{1,64}")
NOT_IDS = frozenset({"export", "import"})


# A summary's work grows with its days (day totals per category and currency: a year of a
# 1M-row account is some 10,000 buckets, about 25 ms). Past a year, or with an open end, it runs
# in a worker thread so that the loop never stalls long on it. Up to a year it stays on the
# loop: in threads, 16 concurrent year summaries fought over the GIL (the bench read 407 req/s
# in threads, 1,514 req/s on the loop).
LOOP_DAYS = 366


def _wide(params: dict[str, str]) -> bool:
    start, end = day(params, "from"), day(params, "to")
    return start is None or end is None or (end - start).days > LOOP_DAYS


class FastReads:
    """Pure ASGI; answers the lane's requests, passes every other one on unchanged."""

    def __init__(self, app: ASGIApp, container: Container) -> None:
        self.app = app
        self.container = container
        self.threads = LaneThreads()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if method == "POST" and path == ADDS:
            await fast_adds.add(self.app, self.container, self.threads, scope, receive, send)
            return
        if method != "GET":
            await self.app(scope, receive, send)
            return
        if path == "/api/health":
            await send(HEALTH_START)
            await send({"type": "http.response.body", "body": HEALTH_BODY})
            return
        found = READS.get(path)
        if found is None:
            await self._one(path, scope, receive, send)
            return
        read, names = found
        params = query_params(scope["query_string"])
        try:
            check(params, names)
        except NotPlain:
            await self.app(scope, receive, send)
            return
        wide = path == SUMMARY and _wide(params)
        await self._answer(read, params, scope, receive, send, wide=wide)

    async def _one(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        """GET /api/expenses/{id}: a plain id is one primary-key read, done on the loop."""
        expense_id = path.removeprefix(ONE_PREFIX)
        if expense_id == path or not PLAIN_ID.fullmatch(expense_id) or expense_id in NOT_IDS:
            await self.app(scope, receive, send)
            return
        await self._respond(
            lambda principal: one_expense(self.container, principal, expense_id),
            scope,
            receive,
            send,
        )

    async def _answer(
        self,
        read: Read,
        params: dict[str, str],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        wide: bool,
    ) -> None:
        await self._respond(
            lambda principal: json_response(read(self.container, principal, params)),
            scope,
            receive,
            send,
            threaded=wide,
        )

    async def _respond(
        self,
        answer: Callable[[Principal], Response],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        threaded: bool = False,
    ) -> None:
        """The principal on the loop (CPU only, short), then `answer`: on the loop too, or
        `threaded`, in a worker thread (the hop costs more than a short read saves)."""
        authorization = header(scope, b"authorization")
        token = bearer_token(authorization.decode("latin-1") if authorization else None)
        response: Response
        try:
            principal = resolve_principal(self.container, scope, token)
            if threaded:
                response = await self.threads.run(partial(answer, principal))
            else:
                response = answer(principal)
        except ExpenseError as exc:
            response = problems.expense_problem(exc)
        await response(scope, receive, send)
