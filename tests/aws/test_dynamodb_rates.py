"""ECB rates on AWS: the daily function stores a recorded ECB 90-day XML (fed through an
injectable fetcher or a file: URL, never the network) in DynamoDB Local, and the API's rates
lay the stored days newer than the shipped history over it."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from expense_tracker.adapters.aws.dynamodb_rates import (
    DynamoRatesTable,
    OverlayRates,
    parse_daily_xml,
    refresh_stored_rates,
)
from expense_tracker.adapters.aws.dynamodb_schema import create_table
from expense_tracker.adapters.common.ecb_rates import EcbRates, RateTable
from expense_tracker.domain.errors import StorageError
from expense_tracker.entrypoints import lambda_handler
from tests.support.dynamodb_local import ACCESS_KEY, REGION, unique_table_name

FIXTURE = Path(__file__).parents[1] / "data" / "ecb" / "eurofxref-hist-90d.xml"
RECORDED = FIXTURE.read_bytes()  # 28-30 Oct 2026 as the ECB published them
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<r xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><Cube time="2026-10-30">
<Cube currency="USD" rate="&b;"/></Cube></r>"""


@pytest.fixture
def table(dynamodb_client: object) -> DynamoRatesTable:
    """A table of its own: the rates partition is shared by every user of a table."""
    name = unique_table_name("rates")
    create_table(dynamodb_client, name)  # type: ignore[arg-type]
    return DynamoRatesTable(dynamodb_client, name)  # type: ignore[arg-type]


def shipped_until(last: date) -> EcbRates:
    """The package's history as if it had been made on `last` (the real figures, cut off)."""
    full = EcbRates().table()
    kept = sum(1 for day in full.days if day <= last)
    rates = EcbRates()
    rates.replace(RateTable(full.currencies, full.days[:kept], full.rows[:kept]))
    return rates


def test_the_recorded_file_parses_to_the_ecbs_figures() -> None:
    days = parse_daily_xml(RECORDED)
    assert sorted(days) == [date(2026, 10, 28), date(2026, 10, 29), date(2026, 10, 30)]
    assert days[date(2026, 10, 30)]["USD"] == "1.1172"
    assert days[date(2026, 10, 29)]["GBP"] == "0.83578"
    assert "EUR" not in days[date(2026, 10, 30)]


@pytest.mark.parametrize(
    "data", [BOMB, b"<not xml", b'<r xmlns="x"/>'], ids=["entities", "broken", "empty"]
)
def test_a_bad_file_is_refused(data: bytes) -> None:
    with pytest.raises(StorageError):
        parse_daily_xml(data)


@pytest.mark.aws
def test_the_daily_run_stores_each_business_day_once(table: DynamoRatesTable) -> None:
    assert refresh_stored_rates(lambda: RECORDED, table) == 3
    assert refresh_stored_rates(lambda: RECORDED, table) == 3  # a retry rewrites, adds nothing

    stored = table.days_after(date(2026, 10, 1))
    assert stored == parse_daily_xml(RECORDED)
    assert table.days_after(date(2026, 10, 29)) == {date(2026, 10, 30): stored[date(2026, 10, 30)]}


@pytest.mark.aws
def test_a_failed_fetch_or_a_bad_file_is_logged_and_stores_nothing(
    table: DynamoRatesTable, caplog: pytest.LogCaptureFixture
) -> None:
    def offline() -> bytes:
        raise OSError("network is unreachable")

    with caplog.at_level(logging.WARNING):
        assert refresh_stored_rates(offline, table) == 0
        assert refresh_stored_rates(lambda: BOMB, table) == 0
    assert table.days_after(date(1999, 1, 1)) == {}
    assert caplog.text.count("next scheduled run tries again") == 2


@pytest.mark.aws
def test_rates_newer_than_the_shipped_history_come_from_the_table(
    table: DynamoRatesTable,
) -> None:
    now = [0.0]
    rates = OverlayRates(table, shipped_until(date(2026, 10, 28)), 3600, lambda: now[0])
    before = rates.on(date(2026, 10, 30))
    assert before is not None and before.as_of == date(2026, 10, 28)  # nothing stored yet

    refresh_stored_rates(lambda: RECORDED, table)
    now[0] = 3600.0  # the next read of the table
    friday = rates.on(date(2026, 10, 30))
    saturday = rates.on(date(2026, 10, 31))
    assert friday is not None and saturday is not None
    assert (friday.as_of, friday.per_euro["USD"]) == (date(2026, 10, 30), Decimal("1.1172"))
    assert saturday.as_of == date(2026, 10, 30)  # a weekend falls back to Friday
    older = rates.on(date(2024, 12, 24))
    assert older is not None and older.per_euro["USD"] == Decimal("1.0395")  # the shipped file


@pytest.mark.aws
def test_an_unreadable_table_leaves_the_shipped_rates_in_use(
    dynamodb_client: object, caplog: pytest.LogCaptureFixture
) -> None:
    missing = DynamoRatesTable(dynamodb_client, unique_table_name("absent"))  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING):
        found = OverlayRates(missing).on(date(2024, 12, 24))
    assert found is not None and found.per_euro["USD"] == Decimal("1.0395")
    assert "shipped ones stay in use" in caplog.text


@pytest.mark.aws
def test_the_scheduled_handler_stores_the_configured_file(
    table: DynamoRatesTable, dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "EXPENSE_TRACKER_TABLE_NAME": table._table,
        "EXPENSE_TRACKER_REGION": REGION,
        "EXPENSE_TRACKER_DYNAMODB_ENDPOINT_URL": dynamodb_endpoint,
        "EXPENSE_TRACKER_RATES_DAILY_URL": FIXTURE.as_uri(),  # a file: URL, no network
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": ACCESS_KEY,
    }.items():
        monkeypatch.setenv(name, value)

    assert lambda_handler.refresh_rates({}, None) == {"days": 3}
    assert sorted(table.days_after(date(2026, 10, 1))) == sorted(parse_daily_xml(RECORDED))
