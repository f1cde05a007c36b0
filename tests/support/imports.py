"""A statement import over HTTP, as a client makes it: ask for a ticket, upload the bytes to
its URL (the local upload route or S3, without the user's token), start the job."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from tests.support.api import Api, User


def upload_statement(api: Api, ticket: dict[str, Any], data: bytes) -> None:
    fields = ticket["fields"]
    with api.client() as anonymous:
        response = anonymous.post(
            urljoin(api.base_url, ticket["url"]),
            data=fields,
            files={"file": ("statement", data, fields["Content-Type"])},
        )
    assert response.status_code in (200, 204), response.text


def start_import(api: Api, user: User, data: bytes, fmt: str = "csv") -> dict[str, Any]:
    """Ticket, upload and start; the started job as the start answered it (202)."""
    created = user.client.post("/api/imports", json={"format": fmt, "size": len(data)})
    assert created.status_code == 201, created.text
    upload_statement(api, created.json()["upload"], data)
    started = user.client.post(f"/api/imports/{created.json()['id']}/start")
    assert started.status_code == 202, started.text
    job: dict[str, Any] = started.json()
    return job
