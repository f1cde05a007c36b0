"""Access-token checks of the Cognito adapter, without Cognito: a key of our own as the pool's
key, and a counting fetch in place of the JWKS endpoint."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from expense_tracker.adapters.aws.cognito_tokens import (
    AccessTokenRules,
    AccessTokenVerifier,
    JwksCache,
)
from expense_tracker.domain.errors import StorageError, Unauthorized

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool"
CLIENT = "client-id"
JWKS_URL = "https://keys.example/jwks.json"
RULES = AccessTokenRules(ISSUER, CLIENT)


class FakeKeys:
    """The JWKS endpoint: serves the public halves of `keys`, counting fetches."""

    def __init__(self, **keys: rsa.RSAPrivateKey) -> None:
        self.keys = keys
        self.fetched: list[str] = []

    def __call__(self, url: str) -> dict[str, Any]:
        self.fetched.append(url)
        return {"keys": [_public_jwk(kid, key) for kid, key in self.keys.items()]}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _public_jwk(kid: str, key: rsa.RSAPrivateKey) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def token(key: rsa.RSAPrivateKey, kid: str = "k1", **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": "user-1",
        "client_id": CLIENT,
        "token_use": "access",
        "username": "ada@example.com",
        "iat": now,
        "exp": now + 900,
    }
    claims.update(changes)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return new_key()


def test_the_keys_are_fetched_once_for_many_tokens(key: rsa.RSAPrivateKey) -> None:
    served = FakeKeys(k1=key)
    verifier = AccessTokenVerifier(JwksCache(JWKS_URL, fetch=served), RULES)
    for _ in range(5):
        assert verifier.verify(token(key))["sub"] == "user-1"
    assert served.fetched == [JWKS_URL]


def test_an_unknown_key_id_refetches_at_most_once_per_interval(key: rsa.RSAPrivateKey) -> None:
    served, clock = FakeKeys(k1=key), Clock()
    cache = JwksCache(JWKS_URL, fetch=served, refetch_seconds=300, monotonic=clock)
    verifier = AccessTokenVerifier(cache, RULES)
    verifier.verify(token(key))
    for _ in range(3):
        with pytest.raises(Unauthorized):
            verifier.verify(token(key, kid="made-up"))
    assert len(served.fetched) == 1  # made-up key ids within the interval fetch nothing


def test_a_rotated_in_key_is_picked_up_after_the_interval(key: rsa.RSAPrivateKey) -> None:
    served, clock = FakeKeys(k1=key), Clock()
    verifier = AccessTokenVerifier(
        JwksCache(JWKS_URL, fetch=served, refetch_seconds=300, monotonic=clock), RULES
    )
    verifier.verify(token(key))
    new = new_key()
    served.keys["k2"] = new
    clock.now += 301
    assert verifier.verify(token(new, kid="k2"))["sub"] == "user-1"
    assert len(served.fetched) == 2


def test_a_token_signed_by_another_key_with_a_known_key_id_is_refused(
    key: rsa.RSAPrivateKey,
) -> None:
    verifier = AccessTokenVerifier(JwksCache(JWKS_URL, fetch=FakeKeys(k1=key)), RULES)
    with pytest.raises(Unauthorized):
        verifier.verify(token(new_key(), kid="k1"))


def test_keys_for_other_algorithms_are_not_used(key: rsa.RSAPrivateKey) -> None:
    def served(url: str) -> dict[str, Any]:
        return {"keys": [{**_public_jwk("k1", key), "alg": "RS512"}]}

    verifier = AccessTokenVerifier(JwksCache(JWKS_URL, fetch=served), RULES)
    with pytest.raises(Unauthorized):
        verifier.verify(token(key))


def test_an_unreachable_key_endpoint_is_a_storage_error(key: rsa.RSAPrivateKey) -> None:
    cache = JwksCache("http://127.0.0.1:9/jwks.json")
    with pytest.raises(StorageError):
        AccessTokenVerifier(cache, RULES).verify(token(key))


def test_only_http_urls_are_fetched() -> None:
    with pytest.raises(StorageError):
        JwksCache("file:///etc/passwd").document()


@pytest.mark.parametrize(
    "claims",
    [
        {
            "iss": ISSUER,
            "client_id": CLIENT,
            "token_use": "access",
            "sub": "u",
            "exp": "9999999999",
        },
        {"iss": ISSUER, "client_id": CLIENT, "token_use": "access", "sub": "u", "exp": 9999999999},
    ],
    ids=["gateway-strings", "numbers"],
)
def test_rules_accept_access_claims_as_strings_or_numbers(claims: dict[str, Any]) -> None:
    RULES.check(claims, now=time.time())


@pytest.mark.parametrize(
    "changes",
    [
        {"token_use": "id"},
        {"client_id": "other"},
        {"iss": ISSUER + "x"},
        {"exp": "1"},
        {"exp": "soon"},
        {"sub": ""},
    ],
    ids=["id-token", "other-client", "other-pool", "expired", "bad-exp", "no-sub"],
)
def test_rules_refuse_claims_that_are_not_this_deployments_access_token(
    changes: dict[str, Any],
) -> None:
    claims = {"iss": ISSUER, "client_id": CLIENT, "token_use": "access", "sub": "u"}
    claims["exp"] = str(int(time.time()) + 60)
    with pytest.raises(Unauthorized):
        RULES.check({**claims, **changes}, now=time.time())
