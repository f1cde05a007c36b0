"""The fast lane's worker threads, for its work that blocks (an alert's write and e-mail, an
add on a store that cannot await its commit) or runs long (a wide summary): asyncio's own
executor hop, about a third of the CPU of anyio's to_thread (measured: some 30 µs against 70
to 100 µs a call, 16 callers at once)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
# As many as anyio's default limit (the routes' thread pool): with a store that cannot await
# its commit, every connection's add waits in a thread for the same commit, so the committer's
# groups are as large as the load is (SQLite's adds await it on the loop: fast_adds._add).
LANE_THREADS = 40


class LaneThreads:
    """Started on first use, in the process that uses it (a forked worker starts its own)."""

    def __init__(self, size: int = LANE_THREADS) -> None:
        self._size = size
        self._pool: ThreadPoolExecutor | None = None

    async def run(self, work: Callable[[], T]) -> T:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._size, thread_name_prefix="fast-lane")
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)
