"""Health and the identity provider's public keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from .... import __version__
from ..deps import ContainerDep
from ..schemas import HealthOut

router = APIRouter(tags=["meta"])


@router.get("/api/health", response_model=HealthOut, operation_id="health")
def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@router.get("/.well-known/jwks.json", operation_id="jwks")
def jwks(c: ContainerDep) -> dict[str, Any]:
    return c.identity.jwks()
