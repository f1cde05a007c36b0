"""Health and the identity provider's public keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from ..deps import ContainerDep
from ..read_bodies import HEALTH_BODY
from ..responses import JSON
from ..schemas import HealthOut

router = APIRouter(tags=["meta"])


# `async def`: nothing here blocks, so no thread-pool hop; the body is serialised once at import.
@router.get("/api/health", response_model=HealthOut, operation_id="health")
async def health() -> Response:
    return Response(HEALTH_BODY, media_type=JSON)


# `def`: on AWS the keys may be fetched from Cognito (blocking I/O).
@router.get("/.well-known/jwks.json", operation_id="jwks")
def jwks(c: ContainerDep) -> dict[str, Any]:
    return c.identity.jwks()
