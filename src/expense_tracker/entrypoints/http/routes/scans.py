"""/api/scans: upload a receipt photo, read it in a job, poll for the fields."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status

from ....services import scans as svc
from ..deps import ContainerDep, PrincipalDep
from ..scan_schemas import ScanCreated, ScanOut, ScanRequest
from .common import problems, quota_of, ticket_body

router = APIRouter(prefix="/api/scans", tags=["scans"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ScanCreated,
    operation_id="create_scan",
    responses=problems(413, 507),
)
def create_scan(
    body: ScanRequest, response: Response, principal: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    """A scan waiting for its photo: upload it with the ticket, then start the scan."""
    job, ticket = svc.create_scan(
        jobs=c.jobs,
        receipts=c.receipts,
        clock=c.clock,
        user_id=principal.user_id,
        content_type=body.content_type,
        size=body.size,
        quota=quota_of(c),
    )
    response.headers["Location"] = f"/api/scans/{job.id}"
    return {"id": job.id, "upload": ticket_body(ticket)}


@router.post(
    "/{scan_id}/start",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ScanOut,
    operation_id="start_scan",
    responses=problems(404, 409, 507),
)
def start_scan(scan_id: str, principal: PrincipalDep, c: ContainerDep) -> dict[str, Any]:
    """Check the uploaded photo (refused and deleted when it is not the declared type) and
    queue its reading. Starting a started scan changes nothing."""
    job = svc.start_scan(
        jobs=c.jobs,
        receipts=c.receipts,
        user_id=principal.user_id,
        scan_id=scan_id,
        quota=quota_of(c),
    )
    return svc.public_scan(job)


@router.get("/{scan_id}", response_model=ScanOut, operation_id="get_scan", responses=problems(404))
def get_scan(scan_id: str, principal: PrincipalDep, c: ContainerDep) -> dict[str, Any]:
    return svc.public_scan(svc.get_scan(jobs=c.jobs, user_id=principal.user_id, scan_id=scan_id))
