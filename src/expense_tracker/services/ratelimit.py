"""In-process limits: a token bucket per user, and failed-login counting per key."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from ..domain.errors import RateLimited

MAX_TRACKED = 100_000  # keys kept before the oldest are forgotten, so memory stays bounded


class TokenBuckets:
    """`rate` tokens a second, at most `burst` saved up, one bucket per key."""

    def __init__(
        self, rate: float, burst: int, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._monotonic = monotonic
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Spend one token or raise RateLimited with the seconds until one is back."""
        now = self._monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                raise RateLimited(math.ceil((1 - tokens) / self.rate))
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > MAX_TRACKED:
                self._buckets.pop(next(iter(self._buckets)))


class FailureLimiter:
    """At most `allowed` failures per key in a sliding window; then refuse until one ages out."""

    def __init__(
        self,
        allowed: int,
        window_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allowed = allowed
        self.window = window_seconds
        self._monotonic = monotonic
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, *keys: str) -> None:
        now = self._monotonic()
        with self._lock:
            for key in keys:
                failures = self._failures.get(key)
                if failures is None:
                    continue
                while failures and failures[0] <= now - self.window:
                    failures.popleft()
                if len(failures) >= self.allowed:
                    raise RateLimited(
                        math.ceil(failures[0] + self.window - now),
                        "Too many failed sign-ins; try again later",
                    )

    def record_failure(self, *keys: str) -> None:
        now = self._monotonic()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)
            while len(self._failures) > MAX_TRACKED:
                self._failures.pop(next(iter(self._failures)))

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
