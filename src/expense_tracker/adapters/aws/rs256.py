"""Cognito access tokens checked with the standard library only, for the Lambda lane's cold
start (PyJWT and the cryptography it loads cost more CPU than the rest of a first read).

Only a token that is plainly valid is accepted here: an RS256 signature (PKCS #1 v1.5 over
SHA-256, checked by building the expected encoding and comparing it whole, as RFC 8017 8.2.2
does, so nothing of the signature is parsed) by a key of the pool's JWK set, a header of
`alg`, `kid` and `typ` only, the claims PyJWT requires with plain types, none it would weigh
that this does not (`aud`, `nbf`), and the deployment's own claim rules. Anything else,
valid or not, goes to the PyJWT verifier it wraps (cognito_tokens.AccessTokenVerifier), which
decides and names the error: so this accepts a subset of what PyJWT accepts, never more."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from ...domain.errors import ExpenseError
from .cognito_tokens import ALGORITHM, REQUIRED_CLAIMS, AccessTokenVerifier, fetch_json

# DER of DigestInfo{sha256, NULL} before the 32-byte hash (RFC 8017 9.2, note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
HEADER_KEYS = frozenset({"alg", "kid", "typ"})
OPTIONAL_WEIGHED = ("aud", "nbf")  # PyJWT checks these when present: it decides


class NotPlain(Exception):
    """Not for the plain path: the PyJWT verifier decides."""


def b64url(part: str) -> bytes:
    if not part or "=" in part:
        raise NotPlain("encoding")
    try:
        return base64.b64decode(part + "=" * (-len(part) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NotPlain("encoding") from exc


def _int(part: object) -> int:
    if not isinstance(part, str):
        raise NotPlain("key")
    return int.from_bytes(b64url(part), "big")


def rs256_valid(signing_input: bytes, signature: bytes, n: int, e: int) -> bool:
    k = (n.bit_length() + 7) // 8
    if k < 256 or len(signature) != k:  # 2048-bit keys and up, as Cognito's
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    digest = SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
    expected = b"\x00\x01" + b"\xff" * (k - 3 - len(digest)) + b"\x00" + digest
    return hmac.compare_digest(pow(s, e, n).to_bytes(k, "big"), expected)


class PlainKeys:
    """The pool's RSA keys by key id, fetched once (an unknown key id is PyJWT's business:
    its cache refetches, at most once in a while)."""

    def __init__(self, url: str, fetch: Callable[[str], dict[str, Any]] = fetch_json) -> None:
        self._url = url
        self._fetch = fetch
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[int, int]] | None = None

    def key(self, kid: str) -> tuple[int, int]:
        with self._lock:
            if self._keys is None:
                self._keys = self._load()
        found = self._keys.get(kid)
        if found is None:
            raise NotPlain("kid")
        return found

    def _load(self) -> dict[str, tuple[int, int]]:
        try:
            document = self._fetch(self._url)
        except ExpenseError as exc:
            raise NotPlain("fetch") from exc
        keys: dict[str, tuple[int, int]] = {}
        for jwk in document.get("keys", []):
            usable = jwk.get("kty") == "RSA" and jwk.get("alg", ALGORITHM) == ALGORITHM
            if usable and jwk.get("use", "sig") == "sig" and isinstance(jwk.get("kid"), str):
                keys[jwk["kid"]] = (_int(jwk.get("n")), _int(jwk.get("e")))
        return keys


class PlainFirstVerifier:
    """An AccessTokenVerifier that tries the plain path first (same `verify`, `rules`, `keys`)."""

    def __init__(
        self, full: AccessTokenVerifier, keys: PlainKeys, clock: Callable[[], float] = time.time
    ) -> None:
        self.full = full
        self.rules = full.rules
        self.keys = full.keys
        self._plain_keys = keys
        self._clock = clock

    def verify(self, token: str) -> dict[str, Any]:
        try:
            return self._plain(token)
        except NotPlain:
            return self.full.verify(token)

    def _plain(self, token: str) -> dict[str, Any]:
        parts = token.split(".")
        if len(parts) != 3:
            raise NotPlain("shape")
        header, claims = _json(b64url(parts[0])), _json(b64url(parts[1]))
        kid = header.get("kid")
        if (
            header.get("alg") != ALGORITHM
            or not isinstance(kid, str)
            or header.keys() - HEADER_KEYS
        ):
            raise NotPlain("header")
        n, e = self._plain_keys.key(kid)
        if not rs256_valid(f"{parts[0]}.{parts[1]}".encode(), b64url(parts[2]), n, e):
            raise NotPlain("signature")  # PyJWT says it is not valid, in its words
        now = self._clock()
        plain = (
            all(name in claims for name in REQUIRED_CLAIMS)
            and not any(name in claims for name in OPTIONAL_WEIGHED)
            and all(_is_int(claims[name]) for name in ("exp", "iat"))
            and claims["iat"] <= now < claims["exp"]
            and isinstance(claims["sub"], str)
            and isinstance(claims.get("jti", ""), str)  # PyJWT's rule for it
            and claims["iss"] == self.rules.issuer
        )
        if not plain:
            raise NotPlain("claims")
        try:
            self.rules.check(claims, now)
        except ExpenseError as exc:
            raise NotPlain("rules") from exc
        return claims


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json(raw: bytes) -> dict[str, Any]:
    try:
        found = json.loads(raw)
    except ValueError as exc:
        raise NotPlain("json") from exc
    if not isinstance(found, dict):
        raise NotPlain("json")
    return found
