"""Access tokens (RS256 JWTs, verified strictly) and refresh tokens (opaque, hashed, rotated)."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from ...domain.errors import Unauthorized
from ...ports import Clock
from ..sqlite.db import Database
from .keys import ALGORITHM, SigningKey

REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti"]
CLOCK_SKEW_SECONDS = 5  # tolerated for `iat` between server processes
INVALID_ACCESS = "The access token is not valid"
INVALID_REFRESH = "The refresh token is not valid"
VERIFIED_CACHE_SIZE = 4096  # tokens whose signature was checked; times are checked every use


def stamp(moment: datetime) -> str:
    """One fixed UTC format, so stored times also compare correctly as text in SQL."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class AccessTokens:
    """Issues and verifies JWTs. Only RS256 with one of our key ids is ever considered, so
    `none`, HMAC-with-the-public-key and foreign keys never reach a signature check."""

    def __init__(
        self,
        keys: list[SigningKey],
        *,
        issuer: str,
        audience: str,
        ttl_seconds: int,
        clock: Clock,
    ) -> None:
        self._signing = keys[0]
        self._public = {key.kid: key.public_key for key in keys}
        self.jwks: dict[str, object] = {"keys": [key.public_jwk() for key in keys]}
        self._issuer, self._audience = issuer, audience
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._verified: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._verified_lock = threading.Lock()

    def issue(self, user_id: str, email: str) -> str:
        now = int(self._clock.now().timestamp())
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": user_id,
            "email": email,
            "iat": now,
            "exp": now + self.ttl_seconds,
            "jti": secrets.token_urlsafe(16),
        }
        return jwt.encode(
            claims,
            self._signing.private_key,
            algorithm=ALGORITHM,
            headers={"kid": self._signing.kid},
        )

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims, or Unauthorized. A token whose signature was already verified
        (the same exact string) skips the RSA check, never the expiry and time checks."""
        with self._verified_lock:
            known = self._verified.get(token)
            if known is not None:
                self._verified.move_to_end(token)
        if known is not None:
            self._check_claims(known)
            return known
        claims = self._verify_signature(token)
        self._check_claims(claims)
        with self._verified_lock:
            self._verified[token] = claims
            if len(self._verified) > VERIFIED_CACHE_SIZE:
                self._verified.popitem(last=False)
        return claims

    def _verify_signature(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            kid = header.get("kid")
            if (
                header.get("alg") != ALGORITHM
                or not isinstance(kid, str)
                or kid not in self._public
            ):
                raise Unauthorized(INVALID_ACCESS)
            claims: dict[str, Any] = jwt.decode(
                token,
                self._public[kid],
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                # Times are checked below against our clock, which tests can move.
                options={
                    "require": REQUIRED_CLAIMS,
                    "strict_aud": True,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Unauthorized(INVALID_ACCESS) from exc
        return claims

    def _check_claims(self, claims: dict[str, Any]) -> None:
        now = self._clock.now().timestamp()
        exp, iat = claims["exp"], claims["iat"]
        if not (_is_int(exp) and _is_int(iat)) or exp <= now or iat > now + CLOCK_SKEW_SECONDS:
            raise Unauthorized(INVALID_ACCESS)
        if "nbf" in claims and (not _is_int(claims["nbf"]) or claims["nbf"] > now):
            raise Unauthorized(INVALID_ACCESS)
        for name in ("sub", "jti", "email"):
            value = claims.get(name)
            if not isinstance(value, str) or not value:
                raise Unauthorized(INVALID_ACCESS)


def digest(token: str) -> str:
    """Refresh tokens are 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


class RefreshTokens:
    """One row per issued token. A family is one sign-in and every rotation that followed it.
    Presenting a used token means it leaked: the whole family is revoked."""

    def __init__(self, db: Database, ttl_seconds: int, clock: Clock) -> None:
        self._db = db
        self._ttl = timedelta(seconds=ttl_seconds)
        self._clock = clock

    def start_family(self, user_id: str) -> str:
        """A new sign-in; also forgets this user's tokens that have expired."""
        now = self._clock.now()
        with self._db.write() as conn:
            conn.execute(
                "DELETE FROM refresh_tokens WHERE user_id = ? AND expires_at < ?",
                (user_id, stamp(now)),
            )
            return self._insert(conn, user_id, secrets.token_hex(16), now)

    def _insert(self, conn: sqlite3.Connection, user_id: str, family: str, now: datetime) -> str:
        token = secrets.token_urlsafe(32)
        conn.execute(
            "INSERT INTO refresh_tokens (token_hash, family, user_id, issued_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (digest(token), family, user_id, stamp(now), stamp(now + self._ttl)),
        )
        return token

    def rotate(self, token: str) -> tuple[str, str, str]:
        """(user_id, email, the next token); Unauthorized for a used, revoked, expired or
        unknown token. The revocation on reuse is committed before the error is raised."""
        now = self._clock.now()
        issued: tuple[str, str, str] | None = None
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT t.family, t.user_id, t.expires_at, t.used_at, t.revoked_at, u.email"
                " FROM refresh_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
                (digest(token),),
            ).fetchone()
            if row is not None and row["used_at"] is not None:
                self._revoke(conn, row["family"], now)
            elif row is not None and row["revoked_at"] is None and row["expires_at"] > stamp(now):
                conn.execute(
                    "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?",
                    (stamp(now), digest(token)),
                )
                fresh = self._insert(conn, row["user_id"], row["family"], now)
                issued = (row["user_id"], row["email"], fresh)
        if issued is None:
            raise Unauthorized(INVALID_REFRESH)
        return issued

    def revoke_family_of(self, token: str) -> None:
        """Sign-out; a token we don't know is ignored (sign-out is idempotent)."""
        now = self._clock.now()
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT family FROM refresh_tokens WHERE token_hash = ?", (digest(token),)
            ).fetchone()
            if row is not None:
                self._revoke(conn, row["family"], now)

    def revoke_all(self, conn: sqlite3.Connection, user_id: str) -> None:
        """Every family of the user (sign out everywhere), in the caller's transaction."""
        conn.execute(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            (stamp(self._clock.now()), user_id),
        )

    @staticmethod
    def _revoke(conn: sqlite3.Connection, family: str, now: datetime) -> None:
        conn.execute(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL",
            (stamp(now), family),
        )
