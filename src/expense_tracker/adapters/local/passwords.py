"""Password hashing: argon2id at OWASP's minimum parameters (19 MiB, 2 passes, 1 lane)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from ...domain.errors import RateLimited

# OWASP Password Storage Cheat Sheet, argon2id minimum: m=19 MiB, t=2, p=1.
MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1
# Each hash or verification holds 19 MiB: at most this many at once in a process (a flood of
# sign-ups once ran 40, one per server thread); the others queue, then give up with a 429.
MAX_CONCURRENT_HASHES = 4
HASH_QUEUE_SECONDS = 30.0
_HASHING = threading.BoundedSemaphore(MAX_CONCURRENT_HASHES)


@contextmanager
def hashing_slot() -> Iterator[None]:
    if not _HASHING.acquire(timeout=HASH_QUEUE_SECONDS):
        raise RateLimited(5, "The server is busy; try again in a few seconds")
    try:
        yield
    finally:
        _HASHING.release()


class Passwords:
    """Hash, verify and tell when a stored hash predates the current parameters."""

    def __init__(
        self,
        memory_kib: int = MEMORY_KIB,
        time_cost: int = TIME_COST,
        parallelism: int = PARALLELISM,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )

    def hash(self, password: str) -> str:
        with hashing_slot():
            return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            with hashing_slot():
                return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash("not a password anyone has")

    def waste_time(self, password: str) -> None:
        """Verify against a dummy hash, so an unknown e-mail costs what a known one does."""
        self.verify(self._dummy_hash, password)
