"""Shared shapes for route modules: filters from the query string, problem responses."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from ....container import Container
from ....ports import UploadTicket
from ....services.quota import Quota
from ..schemas import Problem

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: Any) -> Any:
    """Only YYYY-MM-DD: pydantic's lax date parsing would also take `0` (a Unix time)."""
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise PydanticCustomError("date_format", "must be a date as YYYY-MM-DD")
    return value


IsoDay = Annotated[date, BeforeValidator(_iso_day)]
DateFrom = Annotated[IsoDay | None, Query(alias="from", description="Inclusive, YYYY-MM-DD")]
DateTo = Annotated[IsoDay | None, Query(alias="to", description="Inclusive, YYYY-MM-DD")]
CategoryQ = Annotated[str | None, Query(max_length=64, description="Exact category")]
TextQ = Annotated[str | None, Query(max_length=200, description="Text in description or category")]


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem+json answers a route can give (400: a body that is not
    even text, such as invalid UTF-8; 422: one that does not fit the schema or the rules)."""
    return {
        status: {"model": Problem, "content": {"application/problem+json": {}}}
        for status in (400, 401, 422, 429, *statuses)
    }


def ticket_body(ticket: UploadTicket) -> dict[str, Any]:
    """An upload ticket as every route answers it: `{url, fields, expires_in, max_bytes}`."""
    return asdict(ticket)


def quota_of(c: Container) -> Quota:
    """The signed-in user's storage quota, as the services check it."""
    return Quota(c.settings.storage_quota_bytes, c.jobs, c.clock)
