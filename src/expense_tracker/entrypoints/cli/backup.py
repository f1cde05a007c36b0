"""`backup FILE`: a consistent .tar.gz of the local data, safe while the server runs."""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ... import __version__
from ...adapters.local.wiring import DATABASE_FILE
from ...adapters.sqlite.db import Database
from .base import DataDir, app, settings_for
from .users import fail, reported_errors

RECEIPTS_DIR = "receipts"  # <data_dir>/receipts, as adapters.local.wiring lays it out
MANIFEST = "backup.json"


# Paragraphs as single strings: the help renderer keeps line breaks as they are written.
HELP = "\n\n".join(
    [
        "Back up the database and the receipt files into one .tar.gz, while the server runs.",
        "The database is copied with SQLite's online backup API (one consistent snapshot while "
        "writers keep going) and checked with PRAGMA integrity_check, then archived with the "
        "receipt files and a backup.json manifest. The archive holds password hashes, so it is "
        "created readable by you only (mode 600).",
        "To restore: stop the server and unpack into an EMPTY data directory (stale "
        "expense-tracker.sqlite3-wal or -shm files of another database must not sit beside it):",
        "  mkdir restored && tar -xzf FILE -C restored",
        "  expense-tracker serve --data-dir restored",
        "Signing keys are not in the archive (a backup should not carry private keys): new ones "
        "are made on first start, so everyone signs in again. Accounts, passwords, expenses and "
        "receipts come back as they were at the moment of the backup.",
    ]
)


@app.command(help=HELP)
def backup(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="The archive to write (.tar.gz)")],
    data_dir: DataDir = None,
) -> None:
    settings = settings_for(data_dir)
    if settings.backend != "local":
        fail("backup is for the local backend; on AWS use DynamoDB and S3 backups")
    data = settings.data_dir.resolve()
    if not (data / DATABASE_FILE).is_file():
        fail(f"no database in {data}: nothing to back up")
    with reported_errors(), tempfile.TemporaryDirectory(dir=file.parent) as scratch:
        copy = Path(scratch) / DATABASE_FILE
        schema = _snapshot(data / DATABASE_FILE, copy)
        manifest: dict[str, Any] = {
            "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "app_version": __version__,
            "schema_version": schema,
            "database": DATABASE_FILE,
        }
        files = _write_archive(file, copy, data / RECEIPTS_DIR, manifest)
    Console().print(f"Backed up the database and {files} receipt file(s) to {file}.")


def _snapshot(live_path: Path, copy: Path) -> int:
    """Copy the live database, check the copy, and return its schema version."""
    live = Database(live_path)
    try:
        live.backup_to(copy)
    finally:
        live.close()
    checked = Database(copy)
    try:
        if not checked.integrity_ok():
            fail("the copy of the database failed its integrity check; no backup written")
        return checked.schema_version()
    finally:
        checked.close()  # the last close folds its WAL back in: one file to archive


def _write_archive(target: Path, database: Path, receipts: Path, manifest: dict[str, Any]) -> int:
    """Write beside the target and rename, so a failed backup never leaves half a file."""
    partial = target.with_name(target.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(database, arcname=DATABASE_FILE, filter=_private)
            count = _add_receipts(tar, receipts)
            body = json.dumps({**manifest, "receipt_files": count}, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(datetime.now(UTC).timestamp()), 0o600
            tar.addfile(info, io.BytesIO(body))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return count


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Owner-only inside the archive too, whatever the files' modes on disk were."""
    info.mode = 0o700 if info.isdir() else 0o600
    return info


def _add_receipts(tar: tarfile.TarFile, root: Path) -> int:
    """Every file under the receipts directory; one deleted meanwhile is simply left out."""
    if not root.is_dir():
        return 0
    count = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        try:
            arcname = f"{RECEIPTS_DIR}/{path.relative_to(root).as_posix()}"
            tar.add(path, arcname=arcname, filter=_private)
        except FileNotFoundError:
            continue
        count += 1
    return count
