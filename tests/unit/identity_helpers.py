"""Shared set-up for the local identity provider's unit tests (a real SQLite file, a clock the
tests move, tokens signed with the provider's own key)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.local.identity import LocalIdentityProvider
from expense_tracker.adapters.local.keys import KEY_FILE, load_or_create_signing_key
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.config import Settings
from tests.support.forge import forge, rs256

PASSWORD = "correct horse battery staple"
START = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
SETTINGS = Settings(token_issuer="issuer-x", token_audience="audience-y")


def make_idp(db: Database, data_dir: Path, clock: FixedClock) -> LocalIdentityProvider:
    return LocalIdentityProvider.from_data_dir(db, data_dir, SETTINGS, clock)


def signed(tmp_path: Path, claims: dict[str, Any], **header: Any) -> str:
    """A token signed with the provider's own key: only the chosen claims differ."""
    key = load_or_create_signing_key(tmp_path / KEY_FILE)
    return forge(
        {"alg": "RS256", "typ": "JWT", "kid": key.kid, **header}, claims, rs256(key.private_key)
    )


def only_jwk(idp: LocalIdentityProvider) -> dict[str, Any]:
    keys = idp.jwks()["keys"]
    assert isinstance(keys, list)
    (jwk,) = keys
    assert isinstance(jwk, dict)
    return jwk


def good_claims(user_id: str, **changes: Any) -> dict[str, Any]:
    now = int(START.timestamp())
    claims = {
        "iss": "issuer-x",
        "aud": "audience-y",
        "sub": user_id,
        "email": "ada@example.com",
        "iat": now,
        "exp": now + 900,
        "jti": "abc",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}
