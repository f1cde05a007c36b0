"""Request dependencies: the container, the signed-in principal, per-user rate limits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ...bootstrap import Container
from ...domain.errors import Unauthorized
from ...ports import Principal

bearer = HTTPBearer(auto_error=False, description="An access token from /api/auth/login")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def current_principal(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The token's subject is the user; then the per-user token bucket is charged."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("A bearer access token is required")
    principal = container.identity.verify(credentials.credentials)
    container.request_limits.take(principal.user_id)
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
