"""Every forged, altered or misused access token gets 401 with a Bearer challenge.

The first part needs only the HTTP API (it runs on every backend); the second signs tokens
with the local server's own key, read from its data directory (local server only)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from expense_tracker.adapters.local.keys import KEY_FILE
from tests.support.api import Api, User, socket_api
from tests.support.forge import (
    b64url,
    forge,
    hs256,
    load_private_key,
    new_rsa_key,
    parts,
    public_pem,
    rs256,
)
from tests.support.server import RunningServer

JWKS_PATH = "/.well-known/jwks.json"


def call_with(api: Api, token: str, path: str = "/api/me") -> httpx.Response:
    with api.make_client(headers={"Authorization": f"Bearer {token}"}) as client:
        return client.get(path)


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"].startswith("application/problem+json")


def served_jwks(api: Api) -> dict[str, Any]:
    with api.client() as anon:
        response = anon.get(JWKS_PATH)
    assert response.status_code == 200, response.text
    jwks: dict[str, Any] = response.json()
    assert jwks["keys"], "the JWKS must list at least one key"
    return jwks


def served_public_key(api: Api, kid: str) -> rsa.RSAPublicKey:
    (jwk,) = [k for k in served_jwks(api)["keys"] if k["kid"] == kid]
    key = jwt.PyJWK.from_dict(jwk).key
    assert isinstance(key, rsa.RSAPublicKey)
    return key


# Any backend


def test_the_real_token_is_accepted(api: Api, user: User) -> None:
    """The control for every attack below."""
    assert call_with(api, user.access_token).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Basic dXNlcjpwYXNz", "Token abc", "bearer", "Bearer a b"],
)
def test_missing_or_non_bearer_authorization_is_refused(
    api: Api, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    with api.make_client(headers=headers) as client:
        assert_refused(client.get("/api/me"))


@pytest.mark.parametrize(
    "token",
    ["abc", "a.b.c", "a.b", "....", "eyJhbGciOiJSUzI1NiJ9.e30.", "eyJ.eyJ.eyJ", "x" * 3000],
)
def test_malformed_tokens_are_refused(api: Api, token: str) -> None:
    assert_refused(call_with(api, token))


@pytest.mark.parametrize("path", ["/api/me", "/api/expenses", "/api/categories"])
def test_every_protected_route_checks_the_token(api: Api, user: User, path: str) -> None:
    header, claims = parts(user.access_token)
    assert_refused(call_with(api, forge({**header, "alg": "none"}, claims), path))


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_unsigned_tokens_are_refused(api: Api, user: User, alg: str) -> None:
    header, claims = parts(user.access_token)
    assert_refused(call_with(api, forge({**header, "alg": alg}, claims)))
    original_signature = user.access_token.rsplit(".", 1)[1]
    with_old_signature = forge({**header, "alg": alg}, claims) + original_signature
    assert_refused(call_with(api, with_old_signature))


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_signed_with_the_served_public_key_is_refused(api: Api, user: User, alg: str) -> None:
    """The classic key confusion: the public key's bytes used as an HMAC secret."""
    header, claims = parts(user.access_token)
    pem = public_pem(served_public_key(api, header["kid"]))
    (jwk,) = [k for k in served_jwks(api)["keys"] if k["kid"] == header["kid"]]
    for secret in (pem, pem.strip(), json.dumps(jwk).encode()):
        signer = hs256(secret, "sha" + alg[2:])
        assert_refused(call_with(api, forge({**header, "alg": alg}, claims, signer)))


def test_a_token_signed_with_a_foreign_key_is_refused(api: Api, user: User) -> None:
    header, claims = parts(user.access_token)
    foreign = rs256(new_rsa_key())
    for forged_header in (header, {"alg": "RS256"}, {**header, "kid": "attacker"}):
        assert_refused(call_with(api, forge(forged_header, claims, foreign)))


def test_a_foreign_key_embedded_in_the_header_is_not_trusted(api: Api, user: User) -> None:
    header, claims = parts(user.access_token)
    key = new_rsa_key()
    numbers = key.public_key().public_numbers()
    embedded = {
        "kty": "RSA",
        "n": b64url(numbers.n.to_bytes(256, "big")),
        "e": b64url(numbers.e.to_bytes(3, "big")),
    }
    for extra in ({"jwk": embedded}, {"jku": "http://127.0.0.1:9/jwks.json"}):
        assert_refused(call_with(api, forge({**header, **extra}, claims, rs256(key))))


def test_tampered_tokens_are_refused(api: Api, user: User, other_user: User) -> None:
    header, claims = parts(user.access_token)
    signing_input, signature = user.access_token.rsplit(".", 1)
    as_other = forge(header, {**claims, "sub": other_user.user_id}).rsplit(".", 1)[0]
    longer_life = forge(header, {**claims, "exp": claims["exp"] + 86400}).rsplit(".", 1)[0]
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[10] ^= 0x01
    for token in (
        f"{as_other}.{signature}",
        f"{longer_life}.{signature}",
        f"{signing_input}.{b64url(bytes(raw))}",
        f"{signing_input}.{signature[:-8]}",
        f"{signing_input}.",
    ):
        assert_refused(call_with(api, token))


def test_a_refresh_token_is_not_an_access_token(api: Api, user: User) -> None:
    assert_refused(call_with(api, user.refresh_token))


def test_the_access_token_verifies_against_the_served_jwks(api: Api, user: User) -> None:
    header, _ = parts(user.access_token)
    key = served_public_key(api, header["kid"])
    claims = jwt.decode(
        user.access_token,
        key,
        algorithms=[header["alg"]],
        options={"verify_aud": False, "require": ["iss", "sub", "exp", "iat", "jti"]},
    )
    assert header["alg"] == "RS256"
    assert claims["sub"] == user.user_id
    assert claims["iat"] <= time.time() + 5 < claims["exp"]


# Local server only: tokens signed with the server's own key


@pytest.fixture(scope="module")
def server_key(local_server: RunningServer) -> rsa.RSAPrivateKey:
    return load_private_key((local_server.data_dir / KEY_FILE).read_bytes())


@pytest.fixture(scope="module")
def local_api(local_server: RunningServer) -> Api:
    return socket_api(local_server.base_url)


@pytest.fixture
def local_user(local_api: Api) -> Iterator[User]:
    account = local_api.new_user("local")
    yield account
    account.client.close()


def resigned(user: User, key: rsa.RSAPrivateKey, **changes: Any) -> str:
    """The user's token with some claims changed (None removes one), signed with `key`."""
    header, claims = parts(user.access_token)
    claims.update(changes)
    return forge(header, {k: v for k, v in claims.items() if v is not None}, rs256(key))


def test_the_local_token_has_the_contract_claims(
    local_api: Api, local_user: User, server_key: rsa.RSAPrivateKey
) -> None:
    header, _ = parts(local_user.access_token)
    claims = jwt.decode(
        local_user.access_token,
        server_key.public_key(),
        algorithms=["RS256"],
        audience="expense-tracker",
        issuer="expense-tracker-local",
        options={"require": ["iss", "aud", "sub", "exp", "iat", "jti", "email"]},
    )
    assert claims["exp"] - claims["iat"] == 900
    assert header["kid"] == served_jwks(local_api)["keys"][0]["kid"]


def test_a_token_resigned_with_the_server_key_is_accepted(
    local_api: Api, local_user: User, server_key: rsa.RSAPrivateKey
) -> None:
    """The control for the tests below: re-signing alone changes nothing."""
    assert call_with(local_api, resigned(local_user, server_key)).status_code == 200


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://evil.example.com"},
        {"aud": "another-app"},
        {"aud": ["expense-tracker", "another-app"]},
        {"exp": int(time.time()) - 1, "iat": int(time.time()) - 901},
        {"iat": int(time.time()) + 3600, "exp": int(time.time()) + 4500},
        {"nbf": int(time.time()) + 3600},
        {"sub": "00000000-0000-4000-8000-000000000000"},
        {"iss": None},
        {"aud": None},
        {"sub": None},
        {"exp": None},
        {"iat": None},
        {"jti": None},
    ],
    ids=[
        "wrong-iss",
        "wrong-aud",
        "extra-aud",
        "expired",
        "issued-in-future",
        "not-yet-valid",
        "unknown-user",
        "no-iss",
        "no-aud",
        "no-sub",
        "no-exp",
        "no-iat",
        "no-jti",
    ],
)
def test_tokens_with_wrong_or_missing_claims_are_refused(
    local_api: Api, local_user: User, server_key: rsa.RSAPrivateKey, changes: dict[str, Any]
) -> None:
    assert_refused(call_with(local_api, resigned(local_user, server_key, **changes)))
