"""Verifying Cognito access tokens without a call to Cognito per request.

The pool's public keys (JWKS) are fetched once and cached. A token signed with a key id we have
not seen triggers one refetch (Cognito rotates keys rarely), at most once per
`refetch_seconds`, so a stream of made-up key ids cannot turn into a stream of fetches.

A Cognito access token is recognised by `token_use == "access"` and carries `client_id` (an ID
token carries `aud` instead). The same claim rules apply to claims that API Gateway's JWT
authorizer has already verified: that authorizer checks `aud` *or* `client_id`, so it lets an
ID token through, and only our `token_use` check stops it."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...domain.errors import StorageError, Unauthorized

if TYPE_CHECKING:  # PyJWT (and the cryptography it loads) is imported on the first token:
    import jwt  # behind API Gateway's authorizer a request brings verified claims instead

ALGORITHM = "RS256"  # Cognito signs with RS256 only; anything else is refused before decoding
FETCH_TIMEOUT_SECONDS = 5.0
INVALID_TOKEN = "The access token is not valid"
REQUIRED_CLAIMS = ["exp", "iat", "iss", "sub", "token_use", "client_id"]


def cognito_issuer(region: str, user_pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def fetch_json(url: str) -> dict[str, Any]:
    if not url.startswith(("https://", "http://")):
        raise StorageError("The JWKS URL must be http(s)")
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
            document = json.loads(response.read())
    except (OSError, ValueError) as exc:
        raise StorageError(f"Could not fetch the signing keys ({type(exc).__name__})") from exc
    if not isinstance(document, dict):
        raise StorageError("The signing keys are not a JWK set")
    return document


class JwksCache:
    """RS256 signing keys by key id."""

    def __init__(
        self,
        url: str,
        *,
        fetch: Callable[[str], dict[str, Any]] = fetch_json,
        refetch_seconds: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._fetch = fetch
        self._refetch_seconds = refetch_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._keys: dict[str, jwt.PyJWK] = {}
        self._document: dict[str, Any] | None = None
        self._fetched_at: float | None = None

    def key(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            if kid not in self._keys and self._may_fetch():
                self._load()
            found = self._keys.get(kid)
        if found is None:
            raise Unauthorized(INVALID_TOKEN)
        return found

    def document(self) -> dict[str, Any]:
        """The JWK set as published (public keys only)."""
        with self._lock:
            if self._document is None:
                self._load()
            assert self._document is not None
            return self._document

    def _may_fetch(self) -> bool:
        last = self._fetched_at
        return last is None or self._monotonic() - last >= self._refetch_seconds

    def _load(self) -> None:
        import jwt

        document = self._fetch(self._url)
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in document.get("keys", []):
            usable = jwk.get("kty") == "RSA" and jwk.get("alg", ALGORITHM) == ALGORITHM
            if usable and jwk.get("use", "sig") == "sig" and jwk.get("kid"):
                keys[str(jwk["kid"])] = jwt.PyJWK(jwk, algorithm=ALGORITHM)
        self._keys, self._document = keys, document
        self._fetched_at = self._monotonic()


@dataclass(frozen=True)
class AccessTokenRules:
    """What a token of this deployment looks like: its pool (issuer) and app client."""

    issuer: str
    client_id: str

    def check(self, claims: Mapping[str, Any], now: float) -> None:
        """Claims from a verified signature or from API Gateway's authorizer (where every
        value arrives as a string)."""
        if claims.get("iss") != self.issuer or claims.get("client_id") != self.client_id:
            raise Unauthorized(INVALID_TOKEN)
        if claims.get("token_use") != "access":
            raise Unauthorized("An access token is required, not an ID token")
        if not claims.get("sub") or _expiry(claims.get("exp")) <= now:
            raise Unauthorized(INVALID_TOKEN)


def _expiry(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


class AccessTokenVerifier:
    def __init__(
        self,
        keys: JwksCache,
        rules: AccessTokenRules,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.keys = keys
        self.rules = rules
        self._clock = clock

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a valid access token; Unauthorized for anything else."""
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized(INVALID_TOKEN) from exc
        if header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
            raise Unauthorized(INVALID_TOKEN)
        key = self.keys.key(header["kid"])
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[ALGORITHM],
                issuer=self.rules.issuer,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(INVALID_TOKEN) from exc
        self.rules.check(claims, self._clock())
        return claims
