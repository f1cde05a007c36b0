"""The lane's standard-library token check accepts only what PyJWT accepts, with the same
claims; everything else is decided by the PyJWT verifier it wraps."""

from __future__ import annotations

import time
from hashlib import sha256
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from expense_tracker.adapters.aws.cognito_tokens import (
    AccessTokenRules,
    AccessTokenVerifier,
    JwksCache,
)
from expense_tracker.adapters.aws.rs256 import PlainFirstVerifier, PlainKeys, rs256_valid
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


def test_the_signature_check_agrees_with_cryptography_on_every_tampering() -> None:
    # rs256_valid is the one signature check without a library: pin it against
    # cryptography's own for the genuine signature and for each kind of forgery.
    numbers = KEY.public_key().public_numbers()
    message = b"header.claims"
    genuine = rs256(KEY)(message)
    digest = bytes.fromhex("3031300d060960864801650304020105000420") + sha256(message).digest()

    def raw(encoded: bytes) -> bytes:  # the key's own RSA over a hand-made encoding
        d = KEY.private_numbers().d
        return pow(int.from_bytes(encoded, "big"), d, numbers.n).to_bytes(256, "big")

    assert raw(b"\x00\x01" + b"\xff" * (253 - len(digest)) + b"\x00" + digest) == genuine
    forgeries = [
        raw(b"\x00\x01" + b"\xfe" * (253 - len(digest)) + b"\x00" + digest),  # bad padding
        raw(b"\x00\x01\xff\x00" + digest + b"\x00" * (252 - len(digest))),  # trailing junk
        raw(b"\x00\x02" + b"\xff" * (253 - len(digest)) + b"\x00" + digest),  # block type 2
        bytes([genuine[0] ^ 1]) + genuine[1:],  # a flipped bit, first byte
        genuine[:-1] + bytes([genuine[-1] ^ 0x80]),  # a flipped bit, last byte
        genuine[:-1],  # one byte short
        b"\x00" + genuine,  # one byte long
        numbers.n.to_bytes(256, "big"),  # s = n: out of range
        (numbers.n + 1).to_bytes(257, "big")[1:],  # s > n, wrapped to the key's length
        bytes(256),  # zero
        rs256(OTHER)(message),  # another key's
        rs256(KEY)(b"header.other claims"),  # another message's
        KEY.sign(message, padding.PKCS1v15(), hashes.SHA1()),  # another digest's encoding
        KEY.sign(message, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256()),
    ]
    assert rs256_valid(message, genuine, numbers.n, numbers.e)
    for forged in forgeries:
        assert not rs256_valid(message, forged, numbers.n, numbers.e), forged.hex()[:16]
        with pytest.raises(InvalidSignature):
            KEY.public_key().verify(forged, message, padding.PKCS1v15(), hashes.SHA256())


def test_a_key_under_2048_bits_is_never_plain() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    numbers = small.public_key().public_numbers()
    signature = small.sign(b"m", padding.PKCS1v15(), hashes.SHA256())
    assert not rs256_valid(b"m", signature, numbers.n, numbers.e)
