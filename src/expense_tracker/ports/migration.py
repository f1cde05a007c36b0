"""What moving a user's data between deployments needs beyond the other ports: the accounts
of one place's identity provider, and where the migration has got to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from . import Account


@dataclass(frozen=True)
class EnsuredAccount:
    user_id: str
    created: bool  # made now (its password could not be moved), or there already


class AccountDirectory(Protocol):
    """Every account of one identity provider, and making one for an e-mail."""

    # What a moved user must do before signing in, said once by the command.
    password_note: str

    def accounts(self) -> Iterator[Account]: ...

    def ensure(self, email: str) -> EnsuredAccount:
        """The account with this e-mail, made when missing (with an unusable password: no
        provider hands out password hashes, and Cognito takes none)."""
        ...


class Checkpoint(Protocol):
    """How far a migration got, kept between runs so that an interrupted one resumes."""

    def is_done(self, email: str, kind: str) -> bool: ...

    def mark_done(self, email: str, kind: str) -> None: ...

    def position(self, email: str, kind: str) -> str | None:
        """The opaque place to resume a kind from, if a run stopped in its middle."""
        ...

    def save_position(self, email: str, kind: str, position: str) -> None: ...
