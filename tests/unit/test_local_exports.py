"""Export files on the local disk: atomic writes, signed links that expire, the sweep."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.local.exports import LocalExportFiles
from expense_tracker.domain.errors import Forbidden, Invalid, NotFound
from expense_tracker.entrypoints.cli import app
from expense_tracker.ports.exports import DOWNLOAD_SECONDS, EXPORT_RETENTION
from tests.contract.factories import NOW

KEY = "users/alice/exports/01JEXPORT.csv"


def files_in(root: Path) -> tuple[LocalExportFiles, FixedClock]:
    clock = FixedClock(NOW)
    return LocalExportFiles(root, b"s" * 32, "", clock=clock), clock


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_written_file_is_downloaded_under_its_name(tmp_path: Path) -> None:
    files, _ = files_in(tmp_path)
    with files.create(KEY, "text/csv") as out:
        out.write(b"id,date\r\n")
    found = files.open_download(token_of(files.download_url(KEY, "expenses-2026-11-24.csv")))
    assert found.path.read_bytes() == b"id,date\r\n"
    assert found.filename == "expenses-2026-11-24.csv"
    assert files.exists(KEY)


def test_a_failed_write_leaves_no_file_and_no_scratch(tmp_path: Path) -> None:
    files, _ = files_in(tmp_path)
    with pytest.raises(RuntimeError), files.create(KEY, "text/csv") as out:
        out.write(b"half")
        raise RuntimeError("the job crashed")
    assert not files.exists(KEY)
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_link_expires_after_five_minutes(tmp_path: Path) -> None:
    files, clock = files_in(tmp_path)
    with files.create(KEY, "text/csv") as out:
        out.write(b"x")
    token = token_of(files.download_url(KEY, "e.csv"))
    clock.advance(timedelta(seconds=DOWNLOAD_SECONDS - 1))
    files.open_download(token)
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Forbidden):
        files.open_download(token)


def test_a_link_signed_with_another_secret_is_refused(tmp_path: Path) -> None:
    files, clock = files_in(tmp_path)
    stranger = LocalExportFiles(tmp_path, b"t" * 32, "", clock=clock)
    with files.create(KEY, "text/csv") as out:
        out.write(b"x")
    with pytest.raises(Forbidden):
        files.open_download(token_of(stranger.download_url(KEY, "e.csv")))


def test_a_link_to_a_swept_file_is_not_found(tmp_path: Path) -> None:
    files, clock = files_in(tmp_path)
    with files.create(KEY, "text/csv") as out:
        out.write(b"x")
    token = token_of(files.download_url(KEY, "e.csv"))
    os.utime(tmp_path / KEY, (0, 0))
    assert files.sweep(clock.now() - EXPORT_RETENTION) == 1
    with pytest.raises(NotFound):
        files.open_download(token)


def test_keys_and_names_outside_the_scheme_are_refused(tmp_path: Path) -> None:
    files, _ = files_in(tmp_path)
    with pytest.raises(Invalid):
        files.download_url("users/alice/exports/../../secret.key", "e.csv")
    with pytest.raises(Invalid):
        files.download_url(KEY, 'e".csv')


def test_gc_command_removes_export_files_older_than_a_day(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    runner = CliRunner()
    assert runner.invoke(app, ["gc", "--data-dir", str(data_dir)]).exit_code == 0  # creates it
    files = LocalExportFiles(data_dir / "exports", b"s" * 32, "")
    for key in (KEY, KEY.replace("01JEXPORT", "01JRECENT")):
        with files.create(key, "text/csv") as out:
            out.write(b"x")
    os.utime(data_dir / "exports" / KEY, (0, 0))
    done = runner.invoke(app, ["gc", "--data-dir", str(data_dir)])
    assert done.exit_code == 0 and "1 expired export files removed" in done.output
    assert not files.exists(KEY) and files.exists(KEY.replace("01JEXPORT", "01JRECENT"))
