"""Opaque list cursors: signed, bound to the user and the filters they were made for."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import date

from ..domain.errors import FieldError, Invalid
from ..domain.expense import ExpenseFilter, Position

_BAD_CURSOR_MESSAGE = "is not a cursor from this list; start again without it"


def _filters_tag(filters: ExpenseFilter) -> str:
    text = json.dumps(
        [str(filters.date_from), str(filters.date_to), filters.category, filters.text]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:16]

    def encode(self, user_id: str, filters: ExpenseFilter, position: Position) -> str:
        payload = json.dumps(
            [position.date.isoformat(), position.id, user_id, _filters_tag(filters)],
            separators=(",", ":"),
        ).encode()
        return base64.urlsafe_b64encode(self._sign(payload) + payload).decode().rstrip("=")

    def decode(self, user_id: str, filters: ExpenseFilter, cursor: str) -> Position:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            signature, payload = raw[:16], raw[16:]
            if not hmac.compare_digest(signature, self._sign(payload)):
                raise ValueError("bad signature")
            day, expense_id, owner, tag = json.loads(payload)
            if owner != user_id or tag != _filters_tag(filters):
                raise ValueError("cursor of another list")
            return Position(date.fromisoformat(day), str(expense_id))
        except (ValueError, TypeError) as exc:
            raise Invalid(FieldError("cursor", _BAD_CURSOR_MESSAGE)) from exc
