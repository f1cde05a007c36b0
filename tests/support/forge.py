"""Hand-made JWTs for attack tests: any header, any claims, any (or no) signature.

PyJWT refuses to build most of these on purpose (HMAC with a public key, `alg: none`), so the
compact serialisation is assembled here by hand."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

Signer = Callable[[bytes], bytes]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of a token, unverified."""
    header, claims, _ = token.split(".")
    return _decode(header), _decode(claims)


def _decode(value: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    return decoded


def forge(header: dict[str, Any], claims: dict[str, Any], sign: Signer | None = None) -> str:
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = sign(signing_input.encode()) if sign else b""
    return f"{signing_input}.{b64url(signature)}"


def hs256(secret: bytes, hash_name: str = "sha256") -> Signer:
    """HMAC signing (HS256, or HS384/HS512 with hash_name sha384/sha512)."""
    return lambda data: hmac.new(secret, data, getattr(hashlib, hash_name)).digest()


def rs256(private_key: rsa.RSAPrivateKey) -> Signer:
    return lambda data: private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(public_key: rsa.RSAPublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key
