"""/api/exports: export jobs (CSV, JSON, the evidence pack) and their status."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Response, status
from pydantic import Field

from ....domain.csv_format import utc_text
from ....domain.errors import FieldError, Invalid
from ....services import exports as svc
from ..deps import ContainerDep, PrincipalDep
from ..read_bodies import expense_filter
from ..schemas import DateIn, Schema, Strict
from .common import problems

router = APIRouter(prefix="/api/exports", tags=["exports"])


class ExportCreate(Strict):
    """An export of my expenses matching the list's filters."""

    format: Literal["csv", "json", "zip"] = Field(
        default="csv", description="zip: the evidence pack (CSV, JSON, receipts, rates, manifest)"
    )
    date_from: DateIn | None = Field(default=None, alias="from", description="Inclusive")
    date_to: DateIn | None = Field(default=None, alias="to", description="Inclusive")
    category: str | None = Field(default=None, max_length=64, description="Exact category")
    q: str | None = Field(default=None, max_length=200, description="Text to look for")


class ExportCreated(Schema):
    id: str


class ExportOut(Schema):
    id: str
    status: Literal["queued", "running", "done", "failed", "expired"]
    format: Literal["csv", "json", "zip"]
    rows: int = Field(description="Rows written so far (all of them when done)")
    bytes: int = Field(description="Size of the file so far")
    download: str | None = Field(description="A signed link valid 5 minutes, when done")
    created_at: str
    expires_at: str = Field(description="When the file is removed (24 hours after it is done)")
    error: str | None


class ExportList(Schema):
    items: list[ExportOut]
    next_cursor: str | None = Field(description="Always null: the newest 50 are listed")


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(FieldError(name, "must be a real date as YYYY-MM-DD")) from exc


def _out(view: svc.ExportView) -> dict[str, Any]:
    return {
        "id": view.id,
        "status": view.status,
        "format": view.format,
        "rows": view.rows,
        "bytes": view.bytes,
        "download": view.download,
        "created_at": utc_text(view.created_at),
        "expires_at": utc_text(view.expires_at),
        "error": view.error,
    }


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ExportCreated,
    operation_id="start_export",
    responses=problems(),
)
def start_export(
    body: ExportCreate, response: Response, principal: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    """Start an export; poll `GET /api/exports/{id}` (the `Location`) for the download."""
    filters = expense_filter(
        _day(body.date_from, "from"), _day(body.date_to, "to"), body.category, body.q
    )
    job = svc.request_export(
        jobs=c.jobs,
        files=c.exports,
        clock=c.clock,
        user_id=principal.user_id,
        fmt=body.format,
        filters=filters,
    )
    response.headers["Location"] = f"/api/exports/{job.id}"
    return {"id": job.id}


@router.get("", response_model=ExportList, operation_id="list_exports", responses=problems())
def list_exports(principal: PrincipalDep, c: ContainerDep) -> dict[str, Any]:
    """My exports, newest first."""
    views = svc.list_exports(jobs=c.jobs, files=c.exports, clock=c.clock, user_id=principal.user_id)
    return {"items": [_out(v) for v in views], "next_cursor": None}


@router.get(
    "/{export_id}", response_model=ExportOut, operation_id="get_export", responses=problems(404)
)
def get_export(export_id: str, principal: PrincipalDep, c: ContainerDep) -> dict[str, Any]:
    """The export's progress, and its download link once it is done."""
    view = svc.export_status(
        jobs=c.jobs,
        files=c.exports,
        clock=c.clock,
        user_id=principal.user_id,
        export_id=export_id,
    )
    return _out(view)
