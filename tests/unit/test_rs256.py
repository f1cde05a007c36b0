"""The lane's standard-library token check accepts only what PyJWT accepts, with the same
claims; everything else is decided by the PyJWT verifier it wraps."""

from __future__ import annotations

import time
from typing import Any

import pytest

from expense_tracker.adapters.aws.cognito_tokens import (
    AccessTokenRules,
    AccessTokenVerifier,
    JwksCache,
)
from expense_tracker.adapters.aws.rs256 import PlainFirstVerifier, PlainKeys
from expense_tracker.domain.errors import Unauthorized
from tests.support.forge import b64url, forge, hs256, new_rsa_key, rs256

ISSUER = "https://cognito-idp.eu-south-2.amazonaws.com/eu-south-2_pool"
KEY = new_rsa_key()
OTHER = new_rsa_key()


def jwk(kid: str) -> dict[str, str]:
    numbers = KEY.public_key().public_numbers()
    n, e = b64url(numbers.n.to_bytes(256, "big")), b64url(numbers.e.to_bytes(3, "big"))
    return {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid, "n": n, "e": e}


DOCUMENT = {"keys": [jwk("k1")]}


class Counting(AccessTokenVerifier):
    calls = 0

    def verify(self, token: str) -> dict[str, Any]:
        Counting.calls += 1
        return super().verify(token)


def verifiers() -> tuple[PlainFirstVerifier, AccessTokenVerifier]:
    rules = AccessTokenRules(ISSUER, "client")
    full = Counting(JwksCache("https://keys", fetch=lambda _: DOCUMENT), rules)
    alone = AccessTokenVerifier(JwksCache("https://keys", fetch=lambda _: DOCUMENT), rules)
    return PlainFirstVerifier(full, PlainKeys("https://keys", lambda _: DOCUMENT)), alone


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    found = {"iss": ISSUER, "sub": "user-1", "client_id": "client", "token_use": "access",
             "iat": now - 5, "exp": now + 900, "jti": "j", "username": "user-1"}  # fmt: skip
    found.update(changes)
    return {k: v for k, v in found.items() if v is not None}


HEADER = {"alg": "RS256", "kid": "k1"}


def outcome(verifier: Any, token: str) -> object:
    try:
        return verifier.verify(token)
    except Unauthorized as exc:
        return ("refused", exc.detail)


def test_a_plainly_valid_token_is_checked_without_pyjwt_and_gives_its_claims() -> None:
    plain, alone = verifiers()
    token = forge(HEADER, claims(), rs256(KEY))
    Counting.calls = 0
    assert outcome(plain, token) == outcome(alone, token) == claims()
    assert Counting.calls == 0


TOKENS = {
    "other key": forge(HEADER, claims(), rs256(OTHER)),
    "no signature": forge(HEADER, claims()),
    "alg none": forge({"alg": "none", "kid": "k1"}, claims()),
    "hs256": forge({"alg": "HS256", "kid": "k1"}, claims(), hs256(b"public")),
    "unknown kid": forge({"alg": "RS256", "kid": "k2"}, claims(), rs256(KEY)),
    "crit header": forge({**HEADER, "crit": ["exp"]}, claims(), rs256(KEY)),
    "expired": forge(HEADER, claims(exp=int(time.time()) - 1), rs256(KEY)),
    "issued later": forge(HEADER, claims(iat=int(time.time()) + 600), rs256(KEY)),
    "not before": forge(HEADER, claims(nbf=int(time.time()) + 600), rs256(KEY)),
    "audience": forge(HEADER, claims(aud="client"), rs256(KEY)),
    "exp as text": forge(HEADER, claims(exp=str(int(time.time()) + 900)), rs256(KEY)),
    "exp true": forge(HEADER, claims(exp=True), rs256(KEY)),
    "no iat": forge(HEADER, claims(iat=None), rs256(KEY)),
    "id token": forge(HEADER, claims(token_use="id"), rs256(KEY)),
    "other pool": forge(HEADER, claims(iss=ISSUER + "x"), rs256(KEY)),
    "jti number": forge(HEADER, claims(jti=5), rs256(KEY)),
    "padded": forge(HEADER, claims(), rs256(KEY)) + "=",
    "two parts": "a.b",
}


@pytest.mark.parametrize("name", TOKENS)
def test_anything_else_is_pyjwts_to_decide(name: str) -> None:
    plain, alone = verifiers()
    Counting.calls = 0
    assert outcome(plain, TOKENS[name]) == outcome(alone, TOKENS[name])
    assert Counting.calls == 1
