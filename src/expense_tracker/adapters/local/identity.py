"""The local identity provider: accounts in SQLite, argon2id passwords, RS256 access tokens,
rotating refresh tokens. Implements the IdentityProvider and AccountAdmin ports.

Local accounts are active at sign-up: there is no e-mail to confirm, so `confirm` answers
BadRequest ("no confirmation is pending") rather than pretending to check a code."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime
from pathlib import Path

from ...config import Settings
from ...domain.credentials import normalise_email, valid_signup
from ...domain.errors import BadRequest, Conflict, NotFound, Unauthorized, WrongPassword
from ...ports import Account, Clock, Principal, SignupResult, TokenPair
from ..sqlite.db import Database, storage_errors
from .keys import KEY_FILE, SigningKey, load_or_create_signing_key
from .passwords import Passwords
from .tokens import INVALID_ACCESS, AccessTokens, RefreshTokens, stamp

LOGIN_FAILED = "Wrong e-mail or password"
WRONG_PASSWORD = "The password is wrong"
EMAIL_TAKEN = "An account with this e-mail already exists"


class LocalIdentityProvider:
    def __init__(
        self,
        db: Database,
        keys: list[SigningKey],
        settings: Settings,
        clock: Clock,
        passwords: Passwords | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._passwords = passwords or Passwords()
        self._access = AccessTokens(
            keys,
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            ttl_seconds=settings.access_token_ttl_seconds,
            clock=clock,
        )
        self._refresh = RefreshTokens(db, settings.refresh_token_ttl_seconds, clock)

    @classmethod
    def from_data_dir(
        cls, db: Database, data_dir: Path, settings: Settings, clock: Clock
    ) -> LocalIdentityProvider:
        return cls(db, [load_or_create_signing_key(data_dir / KEY_FILE)], settings, clock)

    # IdentityProvider

    @storage_errors("sign up")
    def signup(self, email: str, password: str) -> SignupResult:
        email = valid_signup(email, password)
        password_hash = self._passwords.hash(password)  # slow: outside the write lock
        user_id = str(uuid.uuid4())
        with self._db.write() as conn:
            taken = self._row_by_email(conn, email) is not None
            if not taken:
                conn.execute(
                    "INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    (user_id, email, password_hash, stamp(self._clock.now())),
                )
        if taken:
            raise Conflict(EMAIL_TAKEN)
        return SignupResult(user_id, email, confirmation_required=False)

    def confirm(self, email: str, code: str) -> None:  # noqa: ARG002 (the port's signature)
        raise BadRequest("No confirmation is pending: local accounts are active at sign-up")

    @storage_errors("sign in")
    def login(self, email: str, password: str) -> TokenPair:
        row = self._row_by_email(self._db.connection(), normalise_email(email))
        if row is None:
            self._passwords.waste_time(password)
            raise Unauthorized(LOGIN_FAILED)
        if not self._passwords.verify(row["password_hash"], password):
            raise Unauthorized(LOGIN_FAILED)
        if self._passwords.needs_rehash(row["password_hash"]):
            self._rehash(row["id"], row["password_hash"], password)
        return self._pair(row["id"], row["email"], self._refresh.start_family(row["id"]))

    @storage_errors("refresh the tokens")
    def refresh(self, refresh_token: str) -> TokenPair:
        user_id, email, next_token = self._refresh.rotate(refresh_token)
        return self._pair(user_id, email, next_token)

    @storage_errors("sign out")
    def logout(self, refresh_token: str) -> None:
        self._refresh.revoke_family_of(refresh_token)

    @storage_errors("check the access token")
    def verify(self, access_token: str) -> Principal:
        """A valid token of a user who still exists; the e-mail comes from the account."""
        user_id = self._access.claims(access_token)["sub"]
        row = (
            self._db.connection()
            .execute("SELECT email FROM users WHERE id = ?", (user_id,))
            .fetchone()
        )
        if row is None:
            raise Unauthorized(INVALID_ACCESS)
        return Principal(user_id, row["email"])

    def jwks(self) -> dict[str, object]:
        return self._access.jwks

    # AccountAdmin

    @storage_errors("list the accounts")
    def list_accounts(self) -> list[Account]:
        rows = (
            self._db.connection()
            .execute("SELECT id, email, created_at FROM users ORDER BY email")
            .fetchall()
        )
        return [_account(row) for row in rows]

    @storage_errors("find the account")
    def find_account(self, email: str) -> Account:
        row = self._row_by_email(self._db.connection(), normalise_email(email))
        if row is None:
            raise NotFound("No account with this e-mail")
        return _account(row)

    @storage_errors("delete the account")
    def delete_account(self, user_id: str) -> None:
        """Removes the account and its refresh tokens; a missing account is not an error, so a
        retried deletion (after the user's expenses went) still succeeds."""
        with self._db.write() as conn:
            conn.execute("DELETE FROM refresh_tokens WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM users WHERE id = ?", (user_id,))

    @storage_errors("set the password")
    def set_password(self, email: str, password: str) -> None:
        """An administrator's reset (an account moved here has a random password): the new
        password, and every session of the account ends (its refresh tokens go)."""
        valid_signup(email, password)
        account = self.find_account(email)
        password_hash = self._passwords.hash(password)
        with self._db.write() as conn:
            conn.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, account.user_id)
            )
            conn.execute("DELETE FROM refresh_tokens WHERE user_id = ?", (account.user_id,))

    # AccountSecurity (the account page)

    @storage_errors("check the password")
    def check_password(self, principal: Principal, password: str) -> None:
        row = (
            self._db.connection()
            .execute("SELECT password_hash FROM users WHERE id = ?", (principal.user_id,))
            .fetchone()
        )
        if row is None:
            self._passwords.waste_time(password)
            raise Unauthorized(INVALID_ACCESS)
        if not self._passwords.verify(row["password_hash"], password):
            raise WrongPassword(WRONG_PASSWORD)

    @storage_errors("change the password")
    def change_password(
        self, principal: Principal, access_token: str, current: str, new: str
    ) -> None:
        del access_token  # the local provider knows the account by its id
        self.check_password(principal, current)
        password_hash = self._passwords.hash(new)  # slow: outside the write lock
        with self._db.write() as conn:
            conn.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?",
                (password_hash, principal.user_id),
            )
            self._refresh.revoke_all(conn, principal.user_id)

    @storage_errors("sign out everywhere")
    def sign_out_everywhere(self, principal: Principal, access_token: str) -> None:
        del access_token
        with self._db.write() as conn:
            self._refresh.revoke_all(conn, principal.user_id)

    def delete_self(self, principal: Principal, access_token: str) -> None:
        del access_token
        self.delete_account(principal.user_id)

    # Helpers

    def _pair(self, user_id: str, email: str, refresh_token: str) -> TokenPair:
        return TokenPair(
            access_token=self._access.issue(user_id, email),
            refresh_token=refresh_token,
            expires_in=self._access.ttl_seconds,
        )

    def _rehash(self, user_id: str, old_hash: str, password: str) -> None:
        """Upgrade a hash made with older parameters; compare-and-set, so a concurrent
        change of the hash is never overwritten."""
        new_hash = self._passwords.hash(password)
        with self._db.write() as conn:
            conn.execute(
                "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?",
                (new_hash, user_id, old_hash),
            )

    @staticmethod
    def _row_by_email(conn: sqlite3.Connection, email: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = conn.execute(
            "SELECT id, email, password_hash, created_at FROM users WHERE email = ?", (email,)
        ).fetchone()
        return row


def _account(row: sqlite3.Row) -> Account:
    return Account(row["id"], row["email"], datetime.fromisoformat(row["created_at"]))
