"""The local data is the owner's only: directory 700; database, -wal and -shm 600; backup
archives 600, and every file inside them 600 too."""

from __future__ import annotations

import stat
import tarfile
from pathlib import Path

from typer.testing import CliRunner

from expense_tracker.bootstrap import build_container
from expense_tracker.config import Settings
from expense_tracker.entrypoints.cli import app
from tests.support.api import PASSWORD


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_directory_and_its_database_files_are_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    container = build_container(Settings(data_dir=data_dir))
    try:
        container.identity.signup("perms@example.com", PASSWORD)  # a write: -wal and -shm exist
        files = sorted(data_dir.glob("*.sqlite3*")) or sorted(data_dir.glob("*.db*"))
        assert {p.name.rsplit(".", 1)[-1].split("-")[-1] for p in files} >= {"wal", "shm"}
        assert mode(data_dir) == 0o700
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    finally:
        container.close()


def test_an_older_install_is_tightened_on_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    build_container(Settings(data_dir=data_dir)).close()
    database = next(p for p in data_dir.iterdir() if p.is_file() and mode(p) == 0o600)
    data_dir.chmod(0o755)
    database.chmod(0o644)
    build_container(Settings(data_dir=data_dir)).close()
    assert (mode(data_dir), mode(database)) == (0o700, 0o600)


def test_a_backup_archive_is_owner_only_inside_and_out(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    container = build_container(Settings(data_dir=data_dir))
    try:
        container.identity.signup("backup@example.com", PASSWORD)
        container.receipts.write("users/u/receipts/e/r", b"\xff\xd8\xff bytes", "image/jpeg")
    finally:
        container.close()
    archive = tmp_path / "backup.tar.gz"
    result = CliRunner().invoke(app, ["backup", str(archive), "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert mode(archive) == 0o600
    with tarfile.open(archive, "r:gz") as tar:
        modes = {m.name: m.mode for m in tar.getmembers() if m.isfile()}
    assert len(modes) >= 3
    assert set(modes.values()) == {0o600}, modes
