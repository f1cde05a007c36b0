"""/api/expenses/export and /api/expenses/import."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from ....domain.errors import FieldError, Invalid
from ....services import transfer as svc
from ..body_limits import IMPORT_BODY_LIMIT
from ..deps import ContainerDep, PrincipalDep
from ..read_bodies import expense_filter
from ..schemas import ImportOut
from .common import CategoryQ, DateFrom, DateTo, TextQ, problems

router = APIRouter(prefix="/api/expenses", tags=["transfer"])


@router.get(
    "/export",
    operation_id="export_expenses",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}, "application/json": {}}, "description": "The file"},
        **problems(),
    },
)
def export_expenses(
    principal: PrincipalDep,
    c: ContainerDep,
    format: Annotated[Literal["csv", "json"], Query()] = "csv",
    date_from: DateFrom = None,
    date_to: DateTo = None,
    category: CategoryQ = None,
    q: TextQ = None,
) -> StreamingResponse:
    filters = expense_filter(date_from, date_to, category, q)
    exporter = svc.export_json if format == "json" else svc.export_csv
    chunks = exporter(store=c.store, user_id=principal.user_id, filters=filters)
    media = "application/json" if format == "json" else "text/csv; charset=utf-8"
    filename = f"expenses-{c.clock.today().isoformat()}.{format}"
    return StreamingResponse(
        _pulled_from_threads(chunks),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _pulled_from_threads(blocks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Each block (a page of rows) read and formatted on a worker thread, one hop per page,
    and sent as one chunk: the event loop never waits on SQLite, nothing buffers a second page."""
    while (block := await anyio.to_thread.run_sync(next, blocks, None)) is not None:
        yield block


@router.post(
    "/import",
    response_model=ImportOut,
    operation_id="import_expenses",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string", "minLength": 1}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "description": "The CSV, as UTF-8 text"}
                        },
                        "required": ["file"],
                        "additionalProperties": False,
                    },
                    "encoding": {"file": {"contentType": "text/csv"}},
                },
            },
        }
    },
    responses=problems(413),
)
async def import_expenses(
    request: Request,
    principal: PrincipalDep,
    c: ContainerDep,
    partial: bool = False,
) -> dict[str, Any]:
    data = await _csv_bytes(request)
    # Parsing, validating and storing take seconds for a big file: never on the event loop.
    result = await run_in_threadpool(
        svc.import_csv,
        store=c.store,
        clock=c.clock,
        profiles=c.profiles,
        user_id=principal.user_id,
        data=data,
        partial=partial,
    )
    return {
        "imported": result.imported,
        "errors": [{"line": e.line, "message": e.message} for e in result.errors],
        "error_count": result.error_count,
    }


async def _csv_bytes(request: Request) -> bytes:
    """The CSV as a raw body (text/csv) or as the `file` part of a multipart form."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        # As a context manager, so the spooled temporary files are closed on every path.
        async with request.form(max_files=1, max_fields=4, max_part_size=IMPORT_BODY_LIMIT) as form:
            upload = form.get("file")
            if upload is None:
                raise Invalid(FieldError("file", "is required"))
            if isinstance(upload, str):  # a text part without a file name (curl -F 'file=<x')
                return upload.encode()
            return await upload.read()
    data = await request.body()
    if not data:
        raise Invalid(FieldError("file", "is required: send the CSV as the body"))
    return data
