"""The local server's periodic triggers: a daemon thread that runs its work at start (the
catch-up after the server was off) and then every period: the "recurring" job once a day, the
sweep of expired uploads every few minutes, the sweep of unused scan photos every hour.

The work itself is idempotent (services.recurring), so an extra run, or two servers sharing
one database, add nothing twice."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

DAY_SECONDS = 24 * 3600.0


class DailyTrigger:
    def __init__(
        self,
        run: Callable[[], object],
        every_seconds: float = DAY_SECONDS,
        *,
        name: str = "daily-recurring",
    ) -> None:
        self.name = name
        self._run = run
        self._every = every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._run()
            except Exception:  # a failed run must not end the schedule; the next retries
                log.exception("the periodic run %s failed", self.name)
            self._stop.wait(self._every)
