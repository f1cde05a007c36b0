"""/api/imports: a statement import as a job (upload ticket, start, poll)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from ....domain.statements.csv_rows import ColumnMapping
from ....services import imports as svc
from ..deps import ContainerDep, PrincipalDep
from ..schemas_imports import ImportCreate, ImportCreated, ImportJobList, ImportJobOut
from .common import problems, quota_of, ticket_body

router = APIRouter(prefix="/api/imports", tags=["imports"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportCreated,
    operation_id="create_import",
    responses=problems(413, 507),
)
def create_import(
    body: ImportCreate, response: Response, principal: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    """Upload the statement with the ticket (every field of `fields`, then `file`, to `url`),
    then start the import. The format is checked against the bytes when the job runs."""
    mapping = ColumnMapping(**body.mapping.model_dump()) if body.mapping else None
    job, ticket = svc.create_import(
        jobs=c.jobs,
        receipts=c.receipts,
        clock=c.clock,
        user_id=principal.user_id,
        fmt=body.format,
        size=body.size,
        partial=body.partial,
        mapping=mapping,
        day_first=body.day_first,
        quota=quota_of(c),
    )
    response.headers["Location"] = f"/api/imports/{job.id}"
    return {"id": job.id, "upload": ticket_body(ticket)}


@router.get("", response_model=ImportJobList, operation_id="list_imports", responses=problems())
def list_imports(
    principal: PrincipalDep,
    c: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """My imports, newest first."""
    jobs = svc.list_imports(jobs=c.jobs, user_id=principal.user_id, limit=limit)
    return {"items": [svc.import_view(job) for job in jobs], "next_cursor": None}


@router.post(
    "/{import_id}/start",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportJobOut,
    operation_id="start_import",
    responses=problems(404, 409, 507),
)
def start_import(import_id: str, principal: PrincipalDep, c: ContainerDep) -> dict[str, Any]:
    """Queue the import (409 when nothing was uploaded yet); poll GET for its progress."""
    job = svc.start_import(
        jobs=c.jobs,
        receipts=c.receipts,
        user_id=principal.user_id,
        job_id=import_id,
        quota=quota_of(c),
    )
    return svc.import_view(job)


@router.get(
    "/{import_id}",
    response_model=ImportJobOut,
    operation_id="get_import",
    responses=problems(404),
)
def get_import(import_id: str, principal: PrincipalDep, c: ContainerDep) -> dict[str, Any]:
    job = svc.get_import(jobs=c.jobs, user_id=principal.user_id, job_id=import_id)
    return svc.import_view(job)
