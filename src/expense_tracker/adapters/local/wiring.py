"""The local deployment: SQLite, receipts on disk, a local identity provider."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ...config import Settings
from ...container import Container
from ...services.cursors import CursorCodec
from ..common.clock import SystemClock
from ..memory import MemoryJobs, MemoryRates
from ..sqlite.db import Database
from ..sqlite.store import SqliteExpenseStore, SqliteProfiles
from .files import LocalReceiptStore
from .identity import LocalIdentityProvider

DATABASE_FILE = "expense-tracker.sqlite3"
SECRET_FILE = "secret.key"


def load_or_create_secret(path: Path) -> bytes:
    """A random server secret, made on first start and kept private (mode 0600)."""
    if path.exists():
        return path.read_bytes()
    value = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
        handle.flush()
        os.fsync(handle.fileno())
    return value


def build_local_container(settings: Settings) -> Container:
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    data_dir.chmod(0o700)  # the keys, the database and the receipts: the owner's only
    secret = (
        settings.secret_key.get_secret_value().encode()
        if settings.secret_key
        else load_or_create_secret(data_dir / SECRET_FILE)
    )
    clock = SystemClock()
    db = Database(data_dir / DATABASE_FILE)
    identity = LocalIdentityProvider.from_data_dir(db, data_dir, settings, clock)
    return Container(
        settings=settings,
        store=SqliteExpenseStore(db),
        receipts=LocalReceiptStore(data_dir / "receipts", secret, settings.public_url),
        identity=identity,
        profiles=SqliteProfiles(db, settings.default_currency),
        clock=clock,
        cursors=CursorCodec(secret),
        # Interim: jobs run inline in the request until the place's own worker lands.
        jobs=MemoryJobs(clock),
        rates=MemoryRates({}),  # interim: the ECB history adapter replaces it
        accounts=identity,
        closers=[db.close],
    )
