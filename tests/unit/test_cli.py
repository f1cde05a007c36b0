"""The data commands (users, export, import, backup) on a real local data directory."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import stat
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from expense_tracker.adapters.local.wiring import DATABASE_FILE
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.bootstrap import Container, build_container
from expense_tracker.config import Settings
from expense_tracker.domain.expense import Expense, ExpenseFilter, RawExpense, Receipt
from expense_tracker.domain.profile import ProfileChanges
from expense_tracker.entrypoints.cli import app
from expense_tracker.services import expenses as svc

PASSWORD = "correct horse battery staple 42"
RUNNER = CliRunner()


@contextmanager
def opened(data_dir: Path) -> Iterator[Container]:
    container = build_container(Settings(data_dir=data_dir))
    try:
        yield container
    finally:
        container.close()


def run(data_dir: Path, *args: str, answer: str | None = None) -> Result:
    return RUNNER.invoke(
        app, [*args, "--data-dir", str(data_dir)], input=answer, env={"COLUMNS": "200"}
    )


def signup(c: Container, email: str) -> str:
    return c.identity.signup(email, PASSWORD).user_id


def add(c: Container, user_id: str, **fields: str) -> Expense:
    raw = RawExpense(**{"amount": "12.50", "currency": "EUR", "category": "Food", **fields})
    return svc.add_expense(
        store=c.store, clock=c.clock, profiles=c.profiles, user_id=user_id, raw=raw
    )


def attach_receipt(c: Container, expense: Expense, key: str) -> None:
    c.receipts.write(key, b"\xff\xd8\xff receipt bytes", "image/jpeg")
    receipt = Receipt("image/jpeg", 20, datetime.now(UTC), key)
    c.store.replace(dataclasses.replace(expense, receipt=receipt, version=2), 1)


def expenses_of(c: Container, user_id: str) -> list[Expense]:
    return list(c.store.iterate(user_id, ExpenseFilter()))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def c(data_dir: Path) -> Iterator[Container]:
    """The test's own view of the data dir, open beside the CLI's (as the server would be)."""
    with opened(data_dir) as container:
        yield container


def test_users_list_shows_every_account(c: Container, data_dir: Path) -> None:
    alice = signup(c, "alice@example.com")
    signup(c, "bob@example.com")

    result = run(data_dir, "users", "list")

    assert result.exit_code == 0, result.output
    assert "alice@example.com" in result.output and "bob@example.com" in result.output
    assert alice in result.output
    assert "2 account(s)" in result.output


def test_users_list_of_a_fresh_data_dir_is_empty(data_dir: Path) -> None:
    result = run(data_dir, "users", "list")

    assert result.exit_code == 0, result.output
    assert "0 account(s)" in result.output


def test_users_delete_removes_the_account_expenses_and_receipt_files(
    c: Container, data_dir: Path
) -> None:
    alice, bob = signup(c, "alice@example.com"), signup(c, "bob@example.com")
    attach_receipt(c, add(c, alice), "alice/r1")
    add(c, alice)
    attach_receipt(c, add(c, bob), "bob/r1")

    result = run(data_dir, "users", "delete", "Alice@Example.com", "--yes")

    assert result.exit_code == 0, result.output
    assert "1 receipt file(s)" in result.output
    assert expenses_of(c, alice) == []
    assert len(expenses_of(c, bob)) == 1
    assert c.receipts.inspect("alice/r1") is None
    assert c.receipts.inspect("bob/r1") is not None
    assert c.accounts is not None
    assert [a.email for a in c.accounts.list_accounts()] == ["bob@example.com"]


def test_users_delete_asks_first_and_keeps_everything_on_no(c: Container, data_dir: Path) -> None:
    alice = signup(c, "alice@example.com")
    add(c, alice)

    result = run(data_dir, "users", "delete", "alice@example.com", answer="n\n")

    assert result.exit_code != 0
    assert len(expenses_of(c, alice)) == 1
    assert "alice@example.com" in run(data_dir, "users", "list").output


def test_users_delete_of_an_unknown_email_is_a_short_error(data_dir: Path) -> None:
    result = run(data_dir, "users", "delete", "nobody@example.com", "--yes")

    assert result.exit_code == 1
    assert "No account" in result.output
    assert "Traceback" not in result.output


def test_export_csv_holds_only_that_users_expenses(
    c: Container, data_dir: Path, tmp_path: Path
) -> None:
    alice, bob = signup(c, "alice@example.com"), signup(c, "bob@example.com")
    mine = add(c, alice, description="=SUM(A1)", date="2026-11-24")
    add(c, bob, description="bob's secret")
    out = tmp_path / "alice.csv"

    result = run(data_dir, "export", "--user", "alice@example.com", "--out", str(out))

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["id"], r["amount"], r["description"]) for r in rows] == [
        (mine.id, "12.50", "'=SUM(A1)")
    ]
    assert not out.with_name("alice.csv.partial").exists()


def test_export_json_with_filters(c: Container, data_dir: Path, tmp_path: Path) -> None:
    alice = signup(c, "alice@example.com")
    travel = add(c, alice, category="Travel", date="2026-11-02")
    add(c, alice, category="Travel", date="2026-10-02")
    add(c, alice, category="Food", date="2026-11-03")
    out = tmp_path / "travel.json"

    result = run(
        data_dir,
        *("export", "--user", "alice@example.com", "--out", str(out), "--format", "json"),
        *("--category", "travel", "--from", "2026-11-01", "--to", "2026-11-30"),
    )

    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(out.read_text(encoding="utf-8"))] == [travel.id]


def test_export_for_an_unknown_user_writes_nothing(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"

    result = run(data_dir, "export", "--user", "nobody@example.com", "--out", str(out))

    assert result.exit_code == 1
    assert "No account" in result.output
    assert not out.exists()


CSV_OK = (
    "date,amount,currency,category,description\n"
    "2026-11-01,1.00,USD,Food,one\n"
    "2026-11-02,1500,JPY,Travel,two\n"
)


def test_import_adds_every_line(c: Container, data_dir: Path, tmp_path: Path) -> None:
    alice = signup(c, "alice@example.com")
    source = tmp_path / "in.csv"
    source.write_text(CSV_OK, encoding="utf-8")

    result = run(data_dir, "import", "--user", "alice@example.com", str(source))

    assert result.exit_code == 0, result.output
    assert "Imported 2 expense(s)" in result.output
    assert sorted(e.description for e in expenses_of(c, alice)) == ["one", "two"]


def test_import_with_a_bad_line_adds_nothing_and_names_the_line(
    c: Container, data_dir: Path, tmp_path: Path
) -> None:
    alice = signup(c, "alice@example.com")
    source = tmp_path / "in.csv"
    source.write_text(CSV_OK + "2026-11-03,oops,USD,Food,three\n", encoding="utf-8")

    result = run(data_dir, "import", "--user", "alice@example.com", str(source))

    assert result.exit_code == 1
    assert "Imported 0 expense(s)" in result.output
    assert "│ 4 " in result.output and "amount" in result.output
    assert expenses_of(c, alice) == []


def test_partial_import_keeps_the_good_lines(c: Container, data_dir: Path, tmp_path: Path) -> None:
    alice = signup(c, "alice@example.com")
    source = tmp_path / "in.csv"
    source.write_text(CSV_OK + "2026-11-03,oops,USD,Food,three\n", encoding="utf-8")

    result = run(data_dir, "import", "--user", "alice@example.com", str(source), "--partial")

    assert result.exit_code == 0, result.output
    assert "Imported 2 expense(s)" in result.output
    assert len(expenses_of(c, alice)) == 2


def test_export_then_import_round_trips(c: Container, data_dir: Path, tmp_path: Path) -> None:
    alice, bob = signup(c, "alice@example.com"), signup(c, "bob@example.com")
    add(c, alice, amount="1.234", currency="KWD", description='-minus, "quoted"')
    out = tmp_path / "alice.csv"
    run(data_dir, "export", "--user", "alice@example.com", "--out", str(out))

    result = run(data_dir, "import", "--user", "bob@example.com", str(out))

    assert result.exit_code == 0, result.output
    (copy,) = expenses_of(c, bob)
    assert (copy.amount_text, copy.currency, copy.description) == (
        "1.234",
        "KWD",
        '-minus, "quoted"',
    )


def test_import_of_a_file_over_10_mb_is_refused_before_reading(
    c: Container, data_dir: Path, tmp_path: Path
) -> None:
    signup(c, "alice@example.com")
    source = tmp_path / "big.csv"
    with source.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024 + 1)

    result = run(data_dir, "import", "--user", "alice@example.com", str(source))

    assert result.exit_code == 1
    assert "10 MB" in result.output


def _unpack(archive: Path, into: Path) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(into, filter="data")


def test_backup_restores_accounts_expenses_and_receipts(
    c: Container, data_dir: Path, tmp_path: Path
) -> None:
    alice = signup(c, "alice@example.com")
    expense = add(c, alice)
    attach_receipt(c, expense, "alice/r1")
    archive = tmp_path / "backup.tar.gz"

    result = run(data_dir, "backup", str(archive))

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    restored = tmp_path / "restored"
    _unpack(archive, restored)
    manifest = json.loads((restored / "backup.json").read_text())
    assert manifest["receipt_files"] >= 1 and manifest["schema_version"] >= 1
    with opened(restored) as back:
        assert [e.id for e in expenses_of(back, alice)] == [expense.id]
        assert back.receipts.read("alice/r1") == b"\xff\xd8\xff receipt bytes"
        assert back.identity.login("alice@example.com", PASSWORD).access_token


def test_backup_is_consistent_while_a_writer_holds_a_transaction(
    c: Container, data_dir: Path, tmp_path: Path
) -> None:
    alice = signup(c, "alice@example.com")
    kept = add(c, alice)
    writer = Database(data_dir / DATABASE_FILE)
    archive = tmp_path / "backup.tar.gz"
    try:
        with writer.write() as conn:  # a request in the middle of its transaction
            conn.execute("DELETE FROM expenses")
            result = run(data_dir, "backup", str(archive))
    finally:
        writer.close()

    assert result.exit_code == 0, result.output
    _unpack(archive, tmp_path / "restored")
    with opened(tmp_path / "restored") as back:
        assert [e.id for e in expenses_of(back, alice)] == [kept.id]


def test_backup_without_a_database_is_a_short_error(data_dir: Path, tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar.gz"

    result = run(data_dir, "backup", str(archive))

    assert result.exit_code == 1
    assert "nothing to back up" in result.output
    assert not archive.exists()


def test_export_can_add_the_home_currency_column(
    c: Container, data_dir: Path, tmp_path: Path
) -> None:
    alice = signup(c, "alice@example.com")
    c.profiles.update_profile(alice, ProfileChanges(home_currency="EUR"))
    add(c, alice, amount="10.00", currency="USD", date="2024-12-24")  # USD 1.0395 that day
    add(c, alice, amount="10.00", currency="USD", date="2024-12-29")  # Sunday: Friday's 1.0435
    add(c, alice, amount="12.50", currency="EUR", date="2024-12-20")
    add(c, alice, amount="100.00", currency="ARS", date="2024-12-19")  # the ECB has no ARS
    out = tmp_path / "home.csv"

    result = run(data_dir, "export", "--user", "alice@example.com", "--out", str(out), "--home")

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["date"], r["amount"], r["home_amount"], r["home_currency"]) for r in rows] == [
        ("2024-12-29", "10.00", "9.58", "EUR"),
        ("2024-12-24", "10.00", "9.62", "EUR"),
        ("2024-12-20", "12.50", "12.50", "EUR"),
        ("2024-12-19", "100.00", "", "EUR"),
    ]


def test_export_refuses_the_home_column_in_json(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "home.json"
    result = run(
        data_dir,
        *("export", "--user", "alice@example.com", "--out", str(out)),
        *("--format", "json", "--home"),
    )
    assert result.exit_code == 2
    assert "--format csv" in result.output
    assert not out.exists()
