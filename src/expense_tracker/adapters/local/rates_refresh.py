"""The server's daily refresh of the ECB rates: a background thread fetches the ECB's history
file, checks it parses and is not older than what we have, keeps it in the data directory
(atomically) and swaps it in. It never runs on a request's path, and any failure (offline, a
bad file) is logged and left for the next round: the rates we had stay in use."""

from __future__ import annotations

import logging
import os
import threading
import urllib.request
from pathlib import Path

from ...domain.errors import StorageError
from ..common.ecb_rates import BUNDLED_FILE, EcbRates, parse_history
from .scheduler import DailyTrigger

log = logging.getLogger(__name__)
MAX_BYTES = 32 * 1024 * 1024  # today's history is about 600 KiB
FETCH_TIMEOUT_SECONDS = 30


def rates_file(data_dir: Path) -> Path:
    return data_dir / "rates" / "eurofxref-hist.zip"


def newest_source(data_dir: Path) -> Path:
    """The file fetched before, if it is newer than the one the package ships."""
    fetched = rates_file(data_dir)
    if fetched.exists() and fetched.stat().st_mtime > BUNDLED_FILE.stat().st_mtime:
        return fetched
    return BUNDLED_FILE


def _ecb_url() -> str:
    from currency_converter import ECB_URL  # here: the package is slow to import

    return str(ECB_URL)


class RatesRefresher:
    def __init__(self, rates: EcbRates, target: Path, url: str = "", every_seconds: float = 86400):
        self._rates = rates
        self._target = target
        self._url = url or _ecb_url()
        self._every = every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rates-refresh", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=1)  # a fetch under way is a daemon: never wait for it

    def _run(self) -> None:
        while not self._stop.is_set():
            self.refresh_once()
            self._stop.wait(self._every)

    def refresh_once(self) -> bool:
        """One attempt; True when newer rates were swapped in."""
        try:
            data = self._fetch()
            table = parse_history(data)
            if table.last_day < self._rates.table().last_day:
                return False
            self._keep(data)
        except (OSError, StorageError) as exc:
            log.info("ECB rates not refreshed (%s); the rates we have stay in use", exc)
            return False
        self._rates.replace(table)
        log.info("ECB rates refreshed up to %s", table.last_day)
        return True

    def _fetch(self) -> bytes:
        request = urllib.request.Request(self._url, headers={"User-Agent": "expense-tracker"})
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as answer:  # noqa: S310
            data: bytes = answer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise StorageError("the ECB rates file is too large")
        return data

    def _keep(self, data: bytes) -> None:
        self._target.parent.mkdir(parents=True, exist_ok=True)
        scratch = self._target.with_suffix(".part")
        with open(scratch, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(scratch, self._target)


class RatesFollower:
    """In every server process: swap in the rates file once the refresh (which runs in one
    process only, adapters/local/background_owner.py) has kept a newer one. A stat a minute."""

    def __init__(self, rates: EcbRates, target: Path, every_seconds: float = 60.0) -> None:
        self._rates = rates
        self._target = target
        self._seen = self._mtime()
        self._trigger = DailyTrigger(self.follow_once, every_seconds, name="rates-follow")

    def start(self) -> None:
        self._trigger.start()

    def stop(self) -> None:
        self._trigger.stop()

    def _mtime(self) -> float:
        try:
            return self._target.stat().st_mtime
        except OSError:
            return 0.0

    def follow_once(self) -> bool:
        """True when the kept file was newer than the rates in use and was swapped in."""
        mtime = self._mtime()
        if mtime == self._seen:
            return False
        self._seen = mtime
        try:
            table = parse_history(self._target.read_bytes())
        except (OSError, StorageError) as exc:
            log.info("ECB rates file not read (%s); the rates we have stay in use", exc)
            return False
        if table.last_day <= self._rates.table().last_day:
            return False
        self._rates.replace(table)
        return True
