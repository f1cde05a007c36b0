"""At most a few argon2 hashes (19 MiB each) run at once, however many threads ask."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from expense_tracker.adapters.local import passwords
from expense_tracker.adapters.local.passwords import Passwords


class CountingHasher:
    """Stands in for argon2: records how many hashes overlap."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()
        self.release = threading.Event()

    def hash(self, password: str) -> str:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.release.wait(0.3)  # hold the slot a moment, so callers overlap
        with self.lock:
            self.running -= 1
        return "hashed"

    def verify(self, stored: str, password: str) -> bool:
        self.hash(password)
        return True


def test_concurrent_hashes_and_verifications_are_bounded() -> None:
    hasher = CountingHasher()
    subject = Passwords(memory_kib=8, time_cost=1)
    subject._hasher = hasher  # type: ignore[assignment]
    with ThreadPoolExecutor(16) as pool:
        results = list(
            pool.map(
                lambda n: subject.hash("pw") if n % 2 else subject.verify("h", "pw"), range(32)
            )
        )
    assert len(results) == 32
    assert 1 <= hasher.most <= passwords.MAX_CONCURRENT_HASHES
