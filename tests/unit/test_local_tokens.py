"""The local provider's tokens: strict access-token verification and refresh-token rotation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.local.identity import LocalIdentityProvider
from expense_tracker.adapters.local.keys import KEY_FILE, load_or_create_signing_key
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.domain.errors import Unauthorized
from tests.support.forge import forge, hs256, new_rsa_key, parts, public_pem, rs256
from tests.unit.identity_helpers import (
    PASSWORD,
    SETTINGS,
    START,
    good_claims,
    signed,
)

# Attacks on verify()


@pytest.fixture
def ada(idp: LocalIdentityProvider) -> str:
    return idp.signup("ada@example.com", PASSWORD).user_id


def test_a_correctly_forged_token_verifies(
    idp: LocalIdentityProvider, tmp_path: Path, ada: str
) -> None:
    """The control for the attacks below: the forging itself is sound."""
    assert idp.verify(signed(tmp_path, good_claims(ada))).user_id == ada


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "someone-else"},
        {"aud": "another-app"},
        {"aud": ["audience-y", "another-app"]},
        {"exp": int(START.timestamp())},
        {"exp": str(int(START.timestamp()) + 900)},
        {"iat": int(START.timestamp()) + 3600},
        {"nbf": int(START.timestamp()) + 3600},
        {"iss": None},
        {"aud": None},
        {"sub": None},
        {"exp": None},
        {"iat": None},
        {"jti": None},
        {"sub": 42},
    ],
    ids=repr,
)
def test_tokens_with_wrong_or_missing_claims_are_refused(
    idp: LocalIdentityProvider, tmp_path: Path, ada: str, changes: dict[str, Any]
) -> None:
    with pytest.raises(Unauthorized):
        idp.verify(signed(tmp_path, good_claims(ada, **changes)))


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_unsigned_tokens_are_refused(
    idp: LocalIdentityProvider, tmp_path: Path, ada: str, alg: str
) -> None:
    kid = load_or_create_signing_key(tmp_path / KEY_FILE).kid
    with pytest.raises(Unauthorized):
        idp.verify(forge({"alg": alg, "typ": "JWT", "kid": kid}, good_claims(ada)))


def test_hs256_signed_with_the_public_key_is_refused(
    idp: LocalIdentityProvider, tmp_path: Path, ada: str
) -> None:
    key = load_or_create_signing_key(tmp_path / KEY_FILE)
    header = {"alg": "HS256", "typ": "JWT", "kid": key.kid}
    with pytest.raises(Unauthorized):
        idp.verify(forge(header, good_claims(ada), hs256(public_pem(key.public_key))))


def test_a_token_signed_with_a_foreign_key_is_refused(
    idp: LocalIdentityProvider, tmp_path: Path, ada: str
) -> None:
    kid = load_or_create_signing_key(tmp_path / KEY_FILE).kid
    for header in ({"alg": "RS256", "kid": kid}, {"alg": "RS256"}, {"alg": "RS256", "kid": "x"}):
        with pytest.raises(Unauthorized):
            idp.verify(forge(header, good_claims(ada), rs256(new_rsa_key())))


def test_our_key_under_an_unknown_key_id_is_refused(
    idp: LocalIdentityProvider, tmp_path: Path, ada: str
) -> None:
    with pytest.raises(Unauthorized):
        idp.verify(signed(tmp_path, good_claims(ada), kid="some-other-key"))


def test_a_tampered_token_is_refused(idp: LocalIdentityProvider, ada: str) -> None:
    other = idp.signup("bob@example.com", PASSWORD).user_id
    token = idp.login("ada@example.com", PASSWORD).access_token
    header, claims = parts(token)
    signature = token.rsplit(".", 1)[1]
    swapped = forge(header, {**claims, "sub": other}).rsplit(".", 1)[0] + "." + signature
    with pytest.raises(Unauthorized):
        idp.verify(swapped)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(Unauthorized):
        idp.verify(flipped)


def test_a_verified_token_is_still_refused_once_it_expires(
    idp: LocalIdentityProvider, clock: FixedClock, ada: str
) -> None:
    """Verified signatures are remembered; the expiry is checked on every use all the same."""
    token = idp.login("ada@example.com", PASSWORD).access_token
    assert idp.verify(token).user_id == ada
    assert idp.verify(token).user_id == ada  # the remembered signature
    clock.advance(timedelta(hours=1))
    with pytest.raises(Unauthorized):
        idp.verify(token)


def test_a_tampered_copy_of_a_verified_token_is_refused(
    idp: LocalIdentityProvider, ada: str
) -> None:
    token = idp.login("ada@example.com", PASSWORD).access_token
    idp.verify(token)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(Unauthorized):
        idp.verify(flipped)


@pytest.mark.parametrize(
    "token", ["", "abc", "a.b.c", "a.b", "....", "eyJhbGciOiJSUzI1NiJ9.e30.", "é.é.é"]
)
def test_malformed_tokens_are_refused(idp: LocalIdentityProvider, token: str) -> None:
    with pytest.raises(Unauthorized):
        idp.verify(token)


def test_a_deleted_users_token_is_refused(idp: LocalIdentityProvider, ada: str) -> None:
    pair = idp.login("ada@example.com", PASSWORD)
    idp.delete_account(ada)
    with pytest.raises(Unauthorized):
        idp.verify(pair.access_token)
    with pytest.raises(Unauthorized):
        idp.refresh(pair.refresh_token)


# Refresh tokens


def test_refresh_rotates_and_the_used_token_is_dead(idp: LocalIdentityProvider, ada: str) -> None:
    first = idp.login("ada@example.com", PASSWORD)
    second = idp.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    assert idp.verify(second.access_token).user_id == ada
    with pytest.raises(Unauthorized):
        idp.refresh(first.refresh_token)


def test_reusing_a_refresh_token_revokes_its_whole_family(
    idp: LocalIdentityProvider, ada: str
) -> None:
    stolen = idp.login("ada@example.com", PASSWORD)
    other_session = idp.login("ada@example.com", PASSWORD)
    current = idp.refresh(stolen.refresh_token)
    with pytest.raises(Unauthorized):
        idp.refresh(stolen.refresh_token)
    with pytest.raises(Unauthorized):
        idp.refresh(current.refresh_token)
    assert idp.refresh(other_session.refresh_token).refresh_token  # another family lives on


def test_refresh_tokens_are_stored_hashed(
    idp: LocalIdentityProvider, db: Database, ada: str
) -> None:
    token = idp.login("ada@example.com", PASSWORD).refresh_token
    rows = db.connection().execute("SELECT token_hash FROM refresh_tokens").fetchall()
    assert len(rows) == 1
    assert token not in rows[0][0]


def test_an_expired_refresh_token_is_refused(
    idp: LocalIdentityProvider, clock: FixedClock, ada: str
) -> None:
    token = idp.login("ada@example.com", PASSWORD).refresh_token
    clock.advance(timedelta(seconds=SETTINGS.refresh_token_ttl_seconds))
    with pytest.raises(Unauthorized):
        idp.refresh(token)


def test_expired_refresh_tokens_are_forgotten_at_the_next_login(
    idp: LocalIdentityProvider, clock: FixedClock, db: Database, ada: str
) -> None:
    idp.login("ada@example.com", PASSWORD)
    clock.advance(timedelta(seconds=SETTINGS.refresh_token_ttl_seconds + 1))
    idp.login("ada@example.com", PASSWORD)
    assert db.connection().execute("SELECT count(*) FROM refresh_tokens").fetchone()[0] == 1


def test_logout_revokes_the_family_and_is_idempotent(idp: LocalIdentityProvider, ada: str) -> None:
    first = idp.login("ada@example.com", PASSWORD)
    second = idp.refresh(first.refresh_token)
    idp.logout(first.refresh_token)
    with pytest.raises(Unauthorized):
        idp.refresh(second.refresh_token)
    idp.logout(second.refresh_token)
    idp.logout("never-issued")


@pytest.mark.parametrize("token", ["", "never-issued", "x" * 500])
def test_unknown_refresh_tokens_are_refused(idp: LocalIdentityProvider, token: str) -> None:
    with pytest.raises(Unauthorized):
        idp.refresh(token)
