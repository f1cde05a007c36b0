"""The exchange-rates port: the European Central Bank's daily reference rates.

Rates are quoted against EUR, as the ECB publishes them; cross rates go through EUR. A day
without rates (a weekend, a holiday) takes the last business day before it; a date before the
first rate, or a currency the ECB does not quote, has no rate (None), never a guess."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

ECB_SOURCE = "ECB euro foreign exchange reference rates"


@dataclass(frozen=True)
class EuroRates:
    """One business day's rates: units of each currency per 1 EUR (EUR itself is 1)."""

    as_of: date
    per_euro: dict[str, Decimal]
    # Figures derived from these rates (the summary's conversion factors), kept with them: an
    # adapter hands out one object per business day, so each is worked out once per process,
    # and rates swapped in by a refresh come with an empty memo.
    memo: dict[tuple[str, str], int | None] = field(default_factory=dict, compare=False, repr=False)


class Rates(Protocol):
    def on(self, day: date) -> EuroRates | None:
        """The rates of `day`, or of the last business day before it; None before the first."""
        ...

    def currencies(self) -> frozenset[str]:
        """Every currency with at least one rate (EUR included)."""
        ...
