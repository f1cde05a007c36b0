"""The plain reads' query rules and reads, framework-free: one set for both lanes, the local
server's (fast_reads.py) and Lambda's (entrypoints/lambda_lane.py), so a query either lane
takes is one the FastAPI routes would accept alike."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, Protocol
from urllib.parse import parse_qsl

from ...domain.expense import ExpenseFilter
from ...ports import ExpenseStore, Principal, Profiles
from ...ports.rates import Rates
from ...services import expenses as svc
from ...services.cursors import CursorCodec
from ...services.summary import summarize_expenses
from .read_bodies import expense_filter, summary_body

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LIMIT = re.compile(r"[0-9]{1,3}")
# The routes' Query() limits (routes/common.py, routes/expenses.py): longest accepted text.
TEXT_LIMITS = {"category": 64, "q": 200, "cursor": 512}


class NotPlain(Exception):
    """A query the lane leaves to the routes (they validate it and say what is wrong)."""


class Stores(Protocol):
    @property
    def store(self) -> ExpenseStore: ...
    @property
    def cursors(self) -> CursorCodec: ...
    @property
    def rates(self) -> Rates: ...
    @property
    def profiles(self) -> Profiles: ...


def day(params: dict[str, str], name: str) -> date | None:
    value = params.get(name)
    if value is None:
        return None
    if not _ISO_DAY.fullmatch(value):
        raise NotPlain(name)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise NotPlain(name) from exc


def _text(params: dict[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is not None and len(value) > TEXT_LIMITS[name]:
        raise NotPlain(name)
    return value


def _limit(params: dict[str, str]) -> int:
    value = params.get("limit")
    if value is None:
        return 50
    if not _LIMIT.fullmatch(value) or not 1 <= int(value) <= 200:
        raise NotPlain("limit")
    return int(value)


def query_params(query: bytes) -> dict[str, str]:
    """As Starlette reads a query string: the last of repeated names wins."""
    return dict(parse_qsl(query.decode("latin-1"), keep_blank_values=True)) if query else {}


def _filters(params: dict[str, str]) -> ExpenseFilter:
    return expense_filter(
        day(params, "from"), day(params, "to"), _text(params, "category"), _text(params, "q")
    )


Read = Callable[[Stores, Principal, dict[str, str]], dict[str, Any]]


def _page(c: Stores, principal: Principal, params: dict[str, str]) -> dict[str, Any]:
    page = svc.list_records(
        store=c.store,
        cursors=c.cursors,
        user_id=principal.user_id,
        filters=_filters(params),
        limit=_limit(params),
        cursor=_text(params, "cursor"),
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


def _summary(c: Stores, principal: Principal, params: dict[str, str]) -> dict[str, Any]:
    full = summarize_expenses(
        store=c.store,
        rates=c.rates,
        profiles=c.profiles,
        user_id=principal.user_id,
        filters=_filters(params),
    )
    return summary_body(full)


def check(params: dict[str, str], names: tuple[str, ...]) -> None:
    """Every known parameter plain, before the principal is charged for the request."""
    if "q" in params and "q" not in names:
        raise NotPlain("q")
    for name in names:
        if name in ("from", "to"):
            day(params, name)
        elif name == "limit":
            _limit(params)
        else:
            _text(params, name)


SUMMARY = "/api/analytics/summary"
READS: dict[str, tuple[Read, tuple[str, ...]]] = {
    "/api/expenses": (_page, ("from", "to", "category", "q", "limit", "cursor")),
    # A summary with a text search reads every match (O(matches), about 0.9 s at 1M rows): the
    # routes take it (locally their thread pool keeps it off the event loop).
    SUMMARY: (_summary, ("from", "to", "category")),
}
