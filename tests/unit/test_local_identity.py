"""The local identity provider on a real SQLite file, with a clock the tests move."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from argon2 import PasswordHasher, Type

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.local.identity import LOGIN_FAILED, LocalIdentityProvider
from expense_tracker.adapters.local.keys import KEY_FILE, load_or_create_signing_key
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.domain.errors import BadRequest, Conflict, Invalid, NotFound, Unauthorized
from tests.support.forge import parts
from tests.unit.identity_helpers import (
    PASSWORD,
    SETTINGS,
    only_jwk,
)

# Sign-up


def test_signup_normalises_the_email_and_needs_no_confirmation(idp: LocalIdentityProvider) -> None:
    result = idp.signup("  Ada@Example.COM ", PASSWORD)
    assert result.email == "ada@example.com"
    assert result.confirmation_required is False
    assert idp.find_account("ADA@example.com").user_id == result.user_id


def test_signup_with_a_taken_email_conflicts_in_any_case(idp: LocalIdentityProvider) -> None:
    idp.signup("ada@example.com", PASSWORD)
    with pytest.raises(Conflict):
        idp.signup("ADA@example.com", "another fine passphrase")


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("not-an-email", PASSWORD, "email"),
        ("ada@localhost", PASSWORD, "email"),
        ("ada..b@example.com", PASSWORD, "email"),
        ("ada@exa mple.com", PASSWORD, "email"),
        ("ada@example.com", "short", "password"),
        ("ada@example.com", "x" * 129, "password"),
        ("ada@example.com", "iloveyou", "password"),
        ("ada@example.com", "Password123", "password"),
    ],
)
def test_signup_refuses_bad_credentials_naming_the_field(
    idp: LocalIdentityProvider, email: str, password: str, field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        idp.signup(email, password)
    assert [e.field for e in caught.value.errors] == [field]
    assert idp.list_accounts() == []


def test_passwords_of_8_and_128_characters_are_accepted(idp: LocalIdentityProvider) -> None:
    idp.signup("a@example.com", "zq8#kv2m")
    idp.signup("b@example.com", "y" * 127 + "z")
    assert len(idp.list_accounts()) == 2


def test_password_is_stored_as_argon2id_at_owasp_minimum(
    idp: LocalIdentityProvider, db: Database
) -> None:
    idp.signup("ada@example.com", PASSWORD)
    stored = db.connection().execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in stored
    assert PASSWORD not in stored


def test_confirm_is_refused_because_nothing_is_pending(idp: LocalIdentityProvider) -> None:
    idp.signup("ada@example.com", PASSWORD)
    with pytest.raises(BadRequest):
        idp.confirm("ada@example.com", "123456")


# Login


def test_unknown_email_and_wrong_password_fail_with_one_message(
    idp: LocalIdentityProvider,
) -> None:
    idp.signup("ada@example.com", PASSWORD)
    with pytest.raises(Unauthorized) as wrong_password:
        idp.login("ada@example.com", "not the password")
    with pytest.raises(Unauthorized) as unknown:
        idp.login("nobody@example.com", PASSWORD)
    assert wrong_password.value.detail == unknown.value.detail == LOGIN_FAILED


def test_unknown_email_still_verifies_a_hash(
    idp: LocalIdentityProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = PasswordHasher.verify

    def counting(self: PasswordHasher, stored: str, password: str) -> bool:
        calls.append(password)
        return original(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    with pytest.raises(Unauthorized):
        idp.login("nobody@example.com", "guess-guess")
    assert calls == ["guess-guess"]


def test_login_upgrades_a_hash_made_with_weaker_parameters(
    idp: LocalIdentityProvider, db: Database
) -> None:
    user_id = idp.signup("ada@example.com", PASSWORD).user_id
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=Type.ID)
    with db.write() as conn:
        conn.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", (weak.hash(PASSWORD), user_id)
        )
    idp.login("Ada@example.com", PASSWORD)
    stored = db.connection().execute("SELECT password_hash FROM users").fetchone()[0]
    assert "m=19456,t=2,p=1" in stored
    idp.login("ada@example.com", PASSWORD)  # the new hash still verifies


def test_access_token_carries_the_required_claims(
    idp: LocalIdentityProvider, clock: FixedClock
) -> None:
    user_id = idp.signup("ada@example.com", PASSWORD).user_id
    pair = idp.login("ada@example.com", PASSWORD)
    header, claims = parts(pair.access_token)
    assert header["alg"] == "RS256"
    assert header["kid"] == only_jwk(idp)["kid"]
    assert claims["iss"] == "issuer-x"
    assert claims["aud"] == "audience-y"
    assert claims["sub"] == user_id
    assert claims["email"] == "ada@example.com"
    assert claims["iat"] == int(clock.now().timestamp())
    assert claims["exp"] - claims["iat"] == pair.expires_in == 900
    assert claims["jti"]
    assert parts(idp.login("ada@example.com", PASSWORD).access_token)[1]["jti"] != claims["jti"]


def test_access_token_verifies_until_it_expires(
    idp: LocalIdentityProvider, clock: FixedClock
) -> None:
    user_id = idp.signup("ada@example.com", PASSWORD).user_id
    token = idp.login("ada@example.com", PASSWORD).access_token
    clock.advance(timedelta(seconds=899))
    assert idp.verify(token).user_id == user_id
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Unauthorized):
        idp.verify(token)


# Keys and JWKS


def test_signing_key_is_private_and_reused(db: Database, tmp_path: Path, clock: FixedClock) -> None:
    first = LocalIdentityProvider.from_data_dir(db, tmp_path, SETTINGS, clock)
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    second = LocalIdentityProvider.from_data_dir(db, tmp_path, SETTINGS, clock)
    assert first.jwks() == second.jwks()
    first.signup("ada@example.com", PASSWORD)
    token = first.login("ada@example.com", PASSWORD).access_token
    assert second.verify(token).email == "ada@example.com"


def test_a_key_file_readable_by_others_is_made_private(tmp_path: Path) -> None:
    load_or_create_signing_key(tmp_path / KEY_FILE)
    (tmp_path / KEY_FILE).chmod(0o644)
    load_or_create_signing_key(tmp_path / KEY_FILE)
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600


def test_jwks_serves_only_the_public_key_and_verifies_tokens(idp: LocalIdentityProvider) -> None:
    idp.signup("ada@example.com", PASSWORD)
    token = idp.login("ada@example.com", PASSWORD).access_token
    jwk = only_jwk(idp)
    assert {"kty", "kid", "use", "alg", "n", "e"} == set(jwk)
    assert jwk["alg"] == "RS256"
    key = jwt.PyJWK.from_dict(jwk)
    claims = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience="audience-y",
        issuer="issuer-x",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["email"] == "ada@example.com"


# Account administration


def test_accounts_are_listed_found_and_deleted(
    idp: LocalIdentityProvider, clock: FixedClock
) -> None:
    bob = idp.signup("bob@example.com", PASSWORD).user_id
    ada = idp.signup("ada@example.com", PASSWORD).user_id
    assert [(a.email, a.created_at) for a in idp.list_accounts()] == [
        ("ada@example.com", clock.now()),
        ("bob@example.com", clock.now()),
    ]
    assert idp.find_account(" BOB@example.com").user_id == bob
    idp.delete_account(bob)
    idp.delete_account(bob)  # again: nothing left, no error
    assert [a.user_id for a in idp.list_accounts()] == [ada]
    with pytest.raises(NotFound):
        idp.find_account("bob@example.com")
    with pytest.raises(Unauthorized):
        idp.login("bob@example.com", PASSWORD)
