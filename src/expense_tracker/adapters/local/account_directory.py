"""The local identity provider's accounts, for migration: list them, and make one (with a
random password, until an administrator sets one with `users set-password`)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from ...domain.errors import NotFound
from ...ports import Account
from ...ports.migration import EnsuredAccount
from .identity import LocalIdentityProvider

PASSWORD_NOTE = (
    "Local accounts made by this migration have a random password: each user's password must "
    "be set with `expense-tracker users set-password EMAIL` (passwords cannot be moved)."
)


class LocalAccountDirectory:
    password_note = PASSWORD_NOTE

    def __init__(self, identity: LocalIdentityProvider) -> None:
        self._identity = identity

    def accounts(self) -> Iterator[Account]:
        yield from self._identity.list_accounts()

    def ensure(self, email: str) -> EnsuredAccount:
        try:
            return EnsuredAccount(self._identity.find_account(email).user_id, created=False)
        except NotFound:
            made = self._identity.signup(email, secrets.token_urlsafe(32))
            return EnsuredAccount(made.user_id, created=True)
