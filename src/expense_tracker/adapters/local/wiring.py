"""The local deployment: SQLite, receipts on disk, a local identity provider."""

from __future__ import annotations

import os
import secrets
from functools import partial
from pathlib import Path

from ...config import Settings
from ...container import Container
from ...domain.errors import ConfigurationError
from ...ports.jobs import Background
from ...ports.reader import ReceiptReader
from ...services.cursors import CursorCodec
from ...services.quota import Quota, sweep_expired_uploads
from ...services.recurring import trigger_recurring
from ...services.scans import expire_scan_photos
from ..common.clock import SystemClock
from ..common.ecb_rates import EcbRates
from ..common.rapidocr_reader import RapidOcrReader
from ..common.tesseract_reader import TesseractReader
from ..memory_reader import MemoryReceiptReader
from ..sqlite.db import Database
from ..sqlite.imports import SqliteImportLedger, SqliteRuleStore
from ..sqlite.jobs import SqliteJobs
from ..sqlite.plans import SqlitePlans
from ..sqlite.store import SqliteExpenseStore, SqliteProfiles
from .background_owner import LOCK_FILE, SingleOwner
from .exports import LocalExportFiles
from .files import LocalReceiptStore
from .identity import LocalIdentityProvider
from .job_process import JobsProcess
from .rates_refresh import RatesFollower, RatesRefresher, newest_source, rates_file
from .scheduler import DailyTrigger
from .smtp_mail import smtp_mailer

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


def local_reader(settings: Settings) -> ReceiptReader:
    if settings.scan_reader == "memory":
        return MemoryReceiptReader()
    if settings.scan_reader == "textract":
        raise ConfigurationError("Textract reads receipts on the AWS backend only")
    if settings.scan_reader == "rapidocr":
        return RapidOcrReader()
    return TesseractReader()


def scan_sweep(receipts: LocalReceiptStore, clock: SystemClock) -> DailyTrigger:
    """Hourly: the photos of scans no expense took are removed a day after the scan."""
    sweep = partial(expire_scan_photos, inventory=receipts, clock=clock)
    return DailyTrigger(sweep, every_seconds=3600.0, name="scan-photo-sweep")


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
    jobs = SqliteJobs(db, clock)
    rates = EcbRates(newest_source(data_dir))
    receipts = LocalReceiptStore(data_dir / "receipts", secret, settings.public_url)
    quota = Quota(settings.storage_quota_bytes, jobs, clock)
    # Run by one server process of many (background_owner): the jobs worker process (told of
    # each queued job) and the sweeps.
    worker = JobsProcess(settings)
    jobs.on_queued(worker.wake)
    owned: list[Background] = [worker, scan_sweep(receipts, clock)]
    owned.append(  # uploads never confirmed go once their ticket has expired
        DailyTrigger(
            lambda: sweep_expired_uploads(receipts, quota),
            settings.pending_sweep_seconds,
            name="expired-uploads",
        )
    )
    if settings.recurring_schedule:  # due occurrences at start (a catch-up) and then daily
        owned.append(DailyTrigger(lambda: trigger_recurring(jobs=jobs, clock=clock)))
    every_process: list[Background] = []
    if settings.rates_refresh:  # daily, in the server only (the HTTP app starts it)
        owned.append(
            RatesRefresher(
                rates, rates_file(data_dir), settings.rates_url, settings.rates_refresh_seconds
            )
        )
        every_process.append(RatesFollower(rates, rates_file(data_dir)))
    background: list[Background] = [SingleOwner(data_dir / LOCK_FILE, owned), *every_process]
    return Container(
        ledger=SqliteImportLedger(db),
        rules=SqliteRuleStore(db),
        settings=settings,
        store=SqliteExpenseStore(db),
        receipts=receipts,
        identity=identity,
        profiles=SqliteProfiles(db, settings.default_currency),
        clock=clock,
        cursors=CursorCodec(secret),
        jobs=jobs,
        rates=rates,
        exports=LocalExportFiles(data_dir / "exports", secret, settings.public_url, clock=clock),
        plans=SqlitePlans(db),
        reader=local_reader(settings),
        accounts=identity,
        security=identity,
        mailer=smtp_mailer(settings),
        closers=[db.close],
        background=background,
    )
