"""Small timing helpers: repeated samples and their median."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Samples:
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def count(self) -> int:
        return len(self.seconds)


def sample(fn: Callable[[], object], *, runs: int, budget: float, min_runs: int = 3) -> Samples:
    """Run `fn` up to `runs` times, stopping early once `budget` seconds are spent (but never
    before `min_runs`): slow figures at 1M rows get a few samples, fast ones many."""
    fn()  # warm-up: the first call pays for cold caches and statement preparation
    durations: list[float] = []
    started = time.perf_counter()
    while len(durations) < runs:
        t0 = time.perf_counter()
        fn()
        durations.append(time.perf_counter() - t0)
        if len(durations) >= min_runs and time.perf_counter() - started > budget:
            break
    return Samples(durations)


def stopwatch(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0
