"""The local server's own short-lived signed links (receipt views, export downloads): claims
and an expiry in a URL-safe payload, signed with HMAC-SHA256 under a key per purpose, so a
link made for one purpose never passes for another."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from ...domain.errors import Forbidden
from ...ports import Clock


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class LinkSigner:
    def __init__(self, secret: bytes, purpose: bytes, clock: Clock) -> None:
        self._key = hmac.new(secret, purpose, hashlib.sha256).digest()
        self._clock = clock

    def token(self, claims: dict[str, Any], seconds: int) -> str:
        """`payload.signature`, valid `seconds` from now."""
        expires = int(self._clock.now().timestamp()) + seconds
        payload = b64(json.dumps({**claims, "e": expires}).encode())
        return f"{payload}.{self._sign(payload)}"

    def claims(self, token: str) -> dict[str, Any]:
        """The claims of a token this signer made: Forbidden when tampered or expired."""
        payload, _, signature = token.partition(".")
        if not hmac.compare_digest(self._sign(payload).encode(), signature.encode()):
            raise Forbidden("The link is not valid")
        try:
            claims: dict[str, Any] = json.loads(unb64(payload))
        except (ValueError, binascii.Error) as exc:  # signed by us, so never; but be safe
            raise Forbidden("The link is not valid") from exc
        if self._clock.now().timestamp() >= claims["e"]:
            raise Forbidden("The link has expired")
        return claims

    def _sign(self, payload: str) -> str:
        return b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())
