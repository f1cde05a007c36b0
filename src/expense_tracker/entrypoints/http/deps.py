"""Request dependencies: the container, the signed-in principal, per-user rate limits."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ...bootstrap import Container
from ...ports import Principal
from .principal import ClaimsIdentity, bearer_token, gateway_claims, resolve_principal

# The fast lane (fast_reads.py) and the tests reach these here.
__all__ = ["ClaimsIdentity", "bearer_token", "gateway_claims", "resolve_principal"]

bearer = HTTPBearer(auto_error=False, description="An access token from /api/auth/login")


# Both dependencies are `async def`: they never block (token checks are CPU-only and short), and
# a plain `def` would cost each request two thread-pool round trips (shared/notes).
async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    # The container straight from the app, not as a sub-dependency: FastAPI solves each one
    # afresh per request (even a cached one), the larger part of an authenticated request's
    # framework cost.
    container: Container = request.app.state.container
    token = credentials.credentials if credentials is not None else None
    return resolve_principal(container, request.scope, token)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


# Set by CloudFront's origin request policy (AllViewerExceptHostHeader forwards it): the
# viewer's own address and port. The connecting address behind CloudFront is an edge server's,
# shared by many viewers, so the login limiter would lock them all out together.
VIEWER_ADDRESS = "cloudfront-viewer-address"
# Added by CloudFront to each request it sends to the API origin (infra/template.yaml); a viewer
# calling API Gateway directly cannot present it, so cannot choose its own address.
ORIGIN_VERIFY = "x-origin-verify"


def client_address(request: Request, container: ContainerDep) -> str:
    """The viewer's address behind CloudFront, and only there; else the connecting address."""
    connecting = request.client.host if request.client else "unknown"
    secret = container.origin_secret
    viewer = request.headers.get(VIEWER_ADDRESS)
    if secret is None or viewer is None:
        return connecting
    if not hmac.compare_digest(request.headers.get(ORIGIN_VERIFY, "").encode(), secret):
        return connecting
    return viewer_ip(viewer) or connecting


def viewer_ip(header: str) -> str | None:
    """`198.51.100.10:46532` or `2001:db8::1:46532` (IPv6 without brackets) -> the address."""
    host = header.rpartition(":")[0].strip("[]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None
