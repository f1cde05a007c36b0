"""Who is asking: the bearer token or API Gateway's verified claims -> the principal, with the
per-user rate limit charged. Framework-free, so the FastAPI dependency (deps.py), the local
server's fast lane and the Lambda lane (entrypoints/lambda_lane.py, which loads no FastAPI)
all check alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from ...domain.errors import MissingCredentials
from ...ports import IdentityProvider, Principal
from ...services.ratelimit import TokenBuckets


class Wired(Protocol):
    """The parts of a container the principal needs (the Container, or the Lambda lane's)."""

    @property
    def identity(self) -> IdentityProvider: ...

    @property
    def request_limits(self) -> TokenBuckets: ...


@runtime_checkable
class ClaimsIdentity(Protocol):
    """An identity provider that accepts claims verified upstream (Cognito's, behind API
    Gateway's JWT authorizer); it still checks they are this deployment's access-token claims."""

    def principal_from_claims(self, claims: Mapping[str, Any]) -> Principal: ...


def gateway_claims(scope: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Claims API Gateway's JWT authorizer verified. They exist only in the Lambda event, which
    Mangum (or the Lambda lane) puts in the ASGI scope; nothing a client sends can put them
    there."""
    found: Any = scope.get("aws.event")
    for key in ("requestContext", "authorizer", "jwt", "claims"):
        found = found.get(key) if isinstance(found, dict) else None
    return found if isinstance(found, dict) and found else None


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, read as FastAPI's HTTPBearer
    reads it (fastapi.security.utils.get_authorization_scheme_param)."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def resolve_principal(container: Wired, scope: Mapping[str, Any], token: str | None) -> Principal:
    """The token's subject is the user; then the per-user token bucket is charged. Without
    verified claims from the gateway, the bearer token is verified here."""
    claims, identity = gateway_claims(scope), container.identity
    if claims is not None and isinstance(identity, ClaimsIdentity):
        principal = identity.principal_from_claims(claims)
    elif not token:
        raise MissingCredentials("A bearer access token is required")
    else:
        principal = identity.verify(token)
    container.request_limits.take(principal.user_id)
    return principal
