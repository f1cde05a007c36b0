"""In-process limits: a token bucket per user, and failed-login counting per key."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

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
    """Failures counted per key in a sliding window. A key is a kind and a value, such as
    ("email", "ada@example.com"); each kind has its own allowance. Once a key has used its
    allowance, attempts are refused until its oldest failure ages out of the window."""

    def __init__(
        self,
        allowed: Mapping[str, int],
        window_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allowed = dict(allowed)
        self.window = window_seconds
        self._monotonic = monotonic
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, **keys: str) -> None:
        """RateLimited (with the seconds until an attempt is allowed) when any key is spent."""
        now = self._monotonic()
        with self._lock:
            waits = [self._wait(key, now) for key in keys.items()]
        wait = max(waits, default=0.0)
        if wait > 0:
            raise RateLimited(math.ceil(wait), "Too many failed sign-ins; try again later")

    def _wait(self, key: tuple[str, str], now: float) -> float:
        failures = self._failures.get(key)
        if failures is None:
            return 0.0
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return 0.0
        spent = len(failures) - self.allowed[key[0]] + 1
        # The attempt is allowed again once enough failures have aged out of the window.
        return failures[spent - 1] + self.window - now if spent > 0 else 0.0

    def record_failure(self, **keys: str) -> None:
        now = self._monotonic()
        with self._lock:
            for key in keys.items():
                self._failures.setdefault(key, deque()).append(now)
            while len(self._failures) > MAX_TRACKED:
                self._failures.pop(next(iter(self._failures)))

    def reset(self, **keys: str) -> None:
        with self._lock:
            for key in keys.items():
                self._failures.pop(key, None)


class GrowingDelays:
    """After `free` failures, each further failure of a key makes it wait twice as long as
    the one before (1 s, 2 s, 4 s ... at most `longest`). A key is forgotten once it has
    had no failure for `longest` seconds."""

    def __init__(
        self, free: int, longest: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.free = free
        self.longest = longest
        self._monotonic = monotonic
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (count, last failure)
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        now = self._monotonic()
        with self._lock:
            count, last = self._failures.get(key, (0, now))
            if now - last >= self.longest:
                self._failures.pop(key, None)
                return 0.0
        if count < self.free:
            return 0.0
        return max(0.0, min(self.longest, 2.0 ** (count - self.free)) - (now - last))

    def record_failure(self, key: str) -> None:
        now = self._monotonic()
        with self._lock:
            count, _ = self._failures.get(key, (0, now))
            self._failures[key] = (count + 1, now)
            while len(self._failures) > MAX_TRACKED:
                self._failures.pop(next(iter(self._failures)))

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class LoginLimits:
    """Failed sign-ins, limited where they hurt the attacker, not the owner:
    - per (e-mail, client) pair: a few free failures, then growing delays, so guessing from
      one address slows down while the owner signs in from another;
    - per e-mail from all clients: a high allowance, a brake on a distributed attack;
    - per client over all e-mails: a brake on one address trying many accounts, high enough
      that the people behind one shared address (an office, a NAT) do not trip it."""

    def __init__(self, pair: GrowingDelays, totals: FailureLimiter) -> None:
        self.pair = pair
        self.totals = totals

    def check(self, email: str, client: str) -> None:
        wait = self.pair.wait(_pair(email, client))
        if wait > 0:
            raise RateLimited(math.ceil(wait), "Too many failed sign-ins; try again later")
        self.totals.check(email=email, client=client)

    def record_failure(self, email: str, client: str) -> None:
        self.pair.record_failure(_pair(email, client))
        self.totals.record_failure(email=email, client=client)

    def succeeded(self, email: str, client: str) -> None:
        """The right password: that pair and the e-mail start over; the client's failures
        stay (else one account of an attacker's own would reset their guessing)."""
        self.pair.reset(_pair(email, client))
        self.totals.reset(email=email)


def _pair(email: str, client: str) -> str:
    return f"{client}\n{email}"


class SignupLimits:
    """Sign-ups per client address and for the whole server (each costs a 19 MiB hash)."""

    def __init__(self, per_client: TokenBuckets, overall: TokenBuckets) -> None:
        self.per_client = per_client
        self.overall = overall

    def take(self, client: str) -> None:
        self.per_client.take(client)  # first, so one address cannot spend everyone's budget
        self.overall.take("")
