"""Shared helpers of the budget, recurring and alert services: ids, pages, versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..domain.errors import FieldError, Invalid, NotFound, PreconditionFailed
from ..ports import Profiles
from ..ports.plans import PlanRecord, PlanStore

T = TypeVar("T")
MAX_PAGE = 200
ID_MAX = 64


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def home_currency(profiles: Profiles, user_id: str) -> str:
    """The currency budgets default to. Until profiles know a separate home currency, it is
    the user's default currency (the contract's default for `home_currency`)."""
    home = getattr(profiles, "home_currency", None)
    return str(home(user_id)) if callable(home) else profiles.default_currency(user_id)


def known_id(record_id: str, what: str) -> str:
    """NotFound before any store sees an id the app could not have made."""
    if not (0 < len(record_id) <= ID_MAX and record_id.isascii() and record_id.isalnum()):
        raise NotFound(f"No such {what}")
    return record_id


def page_of(
    plans: PlanStore,
    user_id: str,
    kind: str,
    decode: Callable[[PlanRecord], T],
    limit: int,
    cursor: str | None,
) -> Page[T]:
    """One page in id order; the cursor is the last id shown (ids carry no secret)."""
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(FieldError("limit", f"must be between 1 and {MAX_PAGE}"))
    if cursor is not None and not (cursor.isascii() and cursor.isalnum() and len(cursor) <= 64):
        raise Invalid(FieldError("cursor", "is not a cursor of this list"))
    records = plans.records(user_id, kind, limit + 1, cursor)
    shown = records[:limit]
    more = len(records) > limit
    return Page([decode(r) for r in shown], shown[-1].id if more and shown else None)


def check_version(current: int, if_match: int | None, what: str) -> None:
    if if_match is not None and current != if_match:
        raise PreconditionFailed(f"The {what} is at version {current}")
