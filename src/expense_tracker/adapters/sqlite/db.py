"""One SQLite database file: connections, pragmas, transactions and versioned migrations.

WAL lets readers run beside the one writer; synchronous=FULL makes every acknowledged commit
durable across a power cut or a kill; BEGIN IMMEDIATE takes the write lock up front so a
read-then-write never fails half-way with SQLITE_BUSY; busy_timeout waits for that lock.
Errors leave as the domain's StorageError with a generic text (the cause is chained)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from ...domain.errors import StorageError
from .checkpointer import Checkpointer
from .export_sql import AMOUNT_TEXT, CSV_LINE
from .group_commit import Bulk, GroupCommitter
from .writer_lock import SUFFIX as WRITER_LOCK_SUFFIX
from .writer_lock import ProcessWriterLock

BUSY_TIMEOUT_MS = 30_000
BACKGROUND_YIELD_SECONDS = 0.25  # a background writer never starves: it waits this at most
# After a request's write was seen waiting, background writers keep committing after each step
# this long: requests come in runs, and the next one then waits for one short step at most.
# (At 50 ms, one slow add left a gap, the import went back to long steps in a long transaction,
# and the next add waited 20-60 ms for them: the tail of the p99 during an import.)
FOREGROUND_RECENT_SECONDS = 1.0

T = TypeVar("T")

# Append only: each entry moves PRAGMA user_version one step. Never edit a shipped step.
MIGRATIONS: tuple[str, ...] = (
    # 1: accounts, profiles, expenses, idempotency records. Preferences live in `profiles`
    # (keyed by user id, so they work for any identity provider), not in `users`.
    # category_key is casefold(category), written by the store, so the case-insensitive category
    # filter is an index seek that agrees with Python's (and the memory store's) casefold.
    """
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE refresh_tokens (
        token_hash TEXT PRIMARY KEY,
        family TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        revoked_at TEXT
    ) STRICT;
    CREATE INDEX refresh_tokens_by_family ON refresh_tokens(family);
    CREATE INDEX refresh_tokens_by_user ON refresh_tokens(user_id);
    CREATE TABLE expenses (
        user_id TEXT NOT NULL,
        id TEXT NOT NULL,
        amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
        currency TEXT NOT NULL,
        category TEXT NOT NULL,
        description TEXT NOT NULL,
        spent_on TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL,
        receipt_content_type TEXT,
        receipt_size INTEGER,
        receipt_uploaded_at TEXT,
        receipt_key TEXT,
        category_key TEXT NOT NULL,
        PRIMARY KEY (user_id, id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX expenses_by_date ON expenses(user_id, spent_on DESC, id DESC);
    CREATE INDEX expenses_by_category ON expenses(user_id, category_key, spent_on DESC, id DESC);
    CREATE TABLE idempotency_keys (
        user_id TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        expense_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, key)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);
    CREATE TABLE profiles (
        user_id TEXT PRIMARY KEY,
        default_currency TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    """,
    # 2: running totals per user, month, currency and category (see totals.py), backfilled
    # here. The key leads with (user_id, month): a summary reads a range of months by seek.
    # Sums are kept as high and low parts of 10^9 so they stay exact past int64.
    """
    CREATE TABLE month_totals (
        user_id TEXT NOT NULL,
        month TEXT NOT NULL,
        currency TEXT NOT NULL,
        category TEXT NOT NULL,
        minor_high INTEGER NOT NULL CHECK (minor_high >= 0),
        minor_low INTEGER NOT NULL CHECK (minor_low >= 0),
        count INTEGER NOT NULL CHECK (count >= 0),
        PRIMARY KEY (user_id, month, currency, category)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO month_totals (user_id, month, currency, category, minor_high, minor_low, count)
    SELECT user_id, substr(spent_on, 1, 7), currency, category,
        SUM(amount_minor / 1000000000), SUM(amount_minor % 1000000000), COUNT(*)
    FROM expenses
    GROUP BY user_id, substr(spent_on, 1, 7), currency, category;
    """,
    # 3: jobs (imports, exports, scans, recurring runs) for the local worker (see jobs.py).
    # lease_until: a running job's worker is alive until then; past it, another may resume it.
    """
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        params TEXT NOT NULL,
        progress TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        lease_until TEXT
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX jobs_by_user ON jobs(user_id, kind, created_at DESC, id DESC);
    CREATE INDEX jobs_runnable ON jobs(status, lease_until, id);
    """,
    # 4: text search. A trigram FTS5 index over casefold(description) and the category key,
    # kept by triggers in each write's transaction and backfilled here. It only narrows the
    # candidates of a `q` search (3+ characters); the exact casefold test still decides, so
    # results match the memory store's. expense_search gives the FTS rows an integer key
    # (expenses has none: WITHOUT ROWID).
    """
    CREATE TABLE expense_search (
        rowid INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        id TEXT NOT NULL,
        text TEXT NOT NULL,
        UNIQUE (user_id, id)
    ) STRICT;
    CREATE VIRTUAL TABLE expense_fts USING fts5(
        text, content='expense_search', content_rowid='rowid', tokenize='trigram'
    );
    CREATE TRIGGER expense_search_added AFTER INSERT ON expense_search BEGIN
        INSERT INTO expense_fts (rowid, text) VALUES (new.rowid, new.text);
    END;
    CREATE TRIGGER expense_search_removed AFTER DELETE ON expense_search BEGIN
        INSERT INTO expense_fts (expense_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    END;
    CREATE TRIGGER expenses_searchable_added AFTER INSERT ON expenses BEGIN
        INSERT INTO expense_search (user_id, id, text)
        VALUES (new.user_id, new.id, casefold(new.description) || char(10) || new.category_key);
    END;
    CREATE TRIGGER expenses_searchable_changed AFTER UPDATE OF description, category_key
    ON expenses BEGIN
        DELETE FROM expense_search WHERE user_id = old.user_id AND id = old.id;
        INSERT INTO expense_search (user_id, id, text)
        VALUES (new.user_id, new.id, casefold(new.description) || char(10) || new.category_key);
    END;
    CREATE TRIGGER expenses_searchable_removed AFTER DELETE ON expenses BEGIN
        DELETE FROM expense_search WHERE user_id = old.user_id AND id = old.id;
    END;
    INSERT INTO expense_search (user_id, id, text)
    SELECT user_id, id, casefold(description) || char(10) || category_key FROM expenses;
    """,
    # 5: imports. The duplicate key of every imported row, tagged with the job that stored it
    # (a rerun of the job recognises its own rows; a failed job's rows are found and removed),
    # and the user's categorisation rules, tried in id (creation) order.
    """
    CREATE TABLE import_keys (
        user_id TEXT NOT NULL,
        key TEXT NOT NULL,
        job_id TEXT NOT NULL,
        expense_id TEXT NOT NULL,
        PRIMARY KEY (user_id, key)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX import_keys_by_job ON import_keys(user_id, job_id);
    CREATE TABLE rules (
        user_id TEXT NOT NULL,
        id TEXT NOT NULL,
        contains TEXT NOT NULL,
        category TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (user_id, id)
    ) STRICT, WITHOUT ROWID;
    """,
    # 6: home currency (NULL: follow the default currency) and locale per user.
    """
    ALTER TABLE profiles ADD COLUMN home_currency TEXT;
    ALTER TABLE profiles ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
    """,
    # 7: running totals per user, day, currency and category (see day_totals.py), backfilled:
    # the home-currency summary converts each day at its own rate in O(days).
    """
    CREATE TABLE day_totals (
        user_id TEXT NOT NULL,
        day TEXT NOT NULL,
        currency TEXT NOT NULL,
        category TEXT NOT NULL,
        minor_high INTEGER NOT NULL CHECK (minor_high >= 0),
        minor_low INTEGER NOT NULL CHECK (minor_low >= 0),
        count INTEGER NOT NULL CHECK (count >= 0),
        PRIMARY KEY (user_id, day, currency, category)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO day_totals (user_id, day, currency, category, minor_high, minor_low, count)
    SELECT user_id, spent_on, currency, category,
        SUM(amount_minor / 1000000000), SUM(amount_minor % 1000000000), COUNT(*)
    FROM expenses
    GROUP BY user_id, spent_on, currency, category;
    """,
    # 8: budgets, recurring series and alerts: the series that made an expense, and one small
    # JSON document table for budgets, recurring series and alerts (ports/plans.py).
    """
    ALTER TABLE expenses ADD COLUMN recurring_id TEXT;
    CREATE TABLE plans (
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (user_id, kind, id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX plans_by_kind ON plans(kind, user_id);
    """,
    # 9: the duplicate check after each add reads only expenses of the same amount and
    # currency around the date (ExpenseFilter.money): an index reaches them directly.
    """
    CREATE INDEX expenses_by_money ON expenses(
        user_id, currency, amount_minor, spent_on DESC, id DESC
    );
    """,
    # 10: exports and list pages read the date index alone. It now holds every column (a
    # covering index: random dates no longer mean a random page read per row) and each row's
    # CSV line and amount text (export_sql; VIRTUAL columns: computed at write, stored only here).
    f"""
    ALTER TABLE expenses ADD COLUMN export_csv TEXT GENERATED ALWAYS AS ({CSV_LINE}) VIRTUAL;
    ALTER TABLE expenses ADD COLUMN export_amount TEXT GENERATED ALWAYS AS ({AMOUNT_TEXT}) VIRTUAL;
    DROP INDEX expenses_by_date;
    CREATE INDEX expenses_by_date ON expenses(
        user_id, spent_on DESC, id DESC, export_csv, export_amount, amount_minor, currency,
        category, category_key, description, created_at, updated_at, version,
        receipt_content_type, receipt_size, receipt_uploaded_at, receipt_key, recurring_id
    );
    """,
)


PRIVATE_FILE = 0o600  # password hashes and every user's expenses: the owner's eyes only
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal", WRITER_LOCK_SUFFIX)  # the last: ours


def make_private(path: Path) -> None:
    """Create the database file owner-only before SQLite does (it gives its -wal and -shm
    files the database file's mode), and tighten the files of an older install."""
    if str(path) == ":memory:" or str(path).startswith("file:"):
        return
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            if stat.S_IMODE(companion.stat().st_mode) != PRIVATE_FILE:
                companion.chmod(PRIVATE_FILE)


class Database:
    """A SQLite file shared by the local adapters; one connection per thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # Writers of this process queue here, in order, instead of polling SQLite's busy
        # handler (which sleeps in growing steps and gave concurrent adds a long p99 tail);
        # Between processes (serve --workers N) the writer then takes a kernel lock, woken
        # at once on release (writer_lock.py); busy_timeout is only the fallback.
        self._writer = threading.Lock()
        self._processes = ProcessWriterLock(self.path)
        # Request writes (adds) go through one committer thread: group commit (group_commit.py).
        self._committer = GroupCommitter(self._held_for_group, self.connection)
        # Background writers (an import job) give way to request writes waiting here.
        self._foreground_waiting = 0
        self._foreground_seen = -FOREGROUND_RECENT_SECONDS  # monotonic time of the last one
        self._waiting_lock = threading.Lock()
        # WAL checkpoints run in their own thread, never in a writer's COMMIT (checkpointer.py).
        in_memory = self.path == ":memory:" or self.path.startswith("file:")
        self._checkpoints = None if in_memory else Checkpointer(self._open)
        make_private(Path(self.path))
        self.migrate()

    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA wal_autocheckpoint=0")  # the Checkpointer's thread does it
            conn.execute("PRAGMA foreign_keys=ON")
            # Python's casefold, so text search agrees with the memory store beyond ASCII.
            conn.create_function("casefold", 1, _casefold, deterministic=True)
            return conn
        except sqlite3.Error as exc:
            raise StorageError("cannot open the database") from exc

    @contextmanager
    def write(
        self, *, durable: bool = True, background: bool = False
    ) -> Iterator[sqlite3.Connection]:
        """A write transaction, locked from its first statement (BEGIN IMMEDIATE).
        durable=False: its COMMIT skips the fsync (synchronous=NORMAL; WAL keeps it atomic
        and in order, and the next durable commit syncs it too). Only for work that is
        redone if lost, such as a job's chunks before the job is done.
        background=True: wait while a request's write is waiting (see `_writer_lock`)."""
        conn = self.connection()
        with (
            self._writer_lock(background=background),
            self._processes.held(background=background),
        ):
            if not durable:
                conn.execute("PRAGMA synchronous=NORMAL")
            try:
                with self._transaction(conn) as inside:
                    yield inside
            finally:
                if not durable:
                    conn.execute("PRAGMA synchronous=FULL")
        if background and not durable and self.foreground_waiting():
            self._sync_log()
        self._checkpoint_soon()

    @staticmethod
    @contextmanager
    def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StorageError("the database is busy") from exc
        try:
            yield conn
        except BaseException:
            _rollback(conn)
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            raise StorageError("the database could not commit") from exc

    @contextmanager
    def _writer_lock(self, *, background: bool) -> Iterator[None]:
        """The process's writer lock. A background writer (an import's batch) first waits, up
        to BACKGROUND_YIELD_SECONDS, while request writes wait for the lock, so that on release
        they get it before the next batch; it also checks `foreground_waiting` inside its
        transaction to end it early. Request writers count themselves while they wait."""
        if background:
            deadline = time.monotonic() + BACKGROUND_YIELD_SECONDS
            while self._someone_waits() and time.monotonic() < deadline:
                time.sleep(0.0005)
            with self._writer:
                yield
            return
        with self._waiting_lock:
            self._foreground_waiting += 1
        try:
            self._writer.acquire()
        finally:
            with self._waiting_lock:
                self._foreground_waiting -= 1
        try:
            yield
        finally:
            self._writer.release()

    def settle_background(self) -> None:
        """After a background writer's commit: have the log synced and copied into the
        database file soon, by the checkpoint thread (it syncs the log first), so that a
        request's own durable commit does not pay for the import's megabytes (its fsync
        covers every unsynced page of the log). The caller never waits for it."""
        self._checkpoint_soon()

    def _sync_log(self) -> None:
        """A background step just committed unsynced while requests write: flush its pages
        of the log now, outside the locks, before the next step. A request's durable commit
        fsyncs the whole log, so it then pays for one step's pages at most, not for every
        page the import wrote since the last checkpoint."""
        with contextlib.suppress(OSError):
            fd = os.open(self.path + "-wal", os.O_RDONLY)
            try:
                os.fdatasync(fd)
            finally:
                os.close(fd)

    def _checkpoint_soon(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.poke()

    def foreground_waiting(self) -> bool:
        """Whether a request's write is waiting for the writer lock, of this process or of
        another (the server's, for the jobs worker process): a background writer holding it
        should commit soon. True also for FOREGROUND_RECENT_SECONDS after one was."""
        now = time.monotonic()
        if self._someone_waits():
            self._foreground_seen = now
            return True
        return now - self._foreground_seen < FOREGROUND_RECENT_SECONDS

    def _someone_waits(self) -> bool:
        return self._foreground_waiting > 0 or self._processes.foreground_waiting()

    def grouped(self, work: Callable[[sqlite3.Connection], T], bulk: Bulk[T] | None = None) -> T:
        """Run `work` in a write transaction that concurrent callers share: one COMMIT, so one
        fsync, for the whole group (group commit). Each work runs in its own SAVEPOINT, so its
        failure undoes only itself; it returns only once the group's COMMIT is durable.
        `bulk`: the same write, done together with its kind queued beside it (group_commit)."""
        return self._committer.run(work, bulk)

    async def grouped_async(
        self, work: Callable[[sqlite3.Connection], T], bulk: Bulk[T] | None = None
    ) -> T:
        """`grouped`, awaited on an event loop rather than blocking a thread."""
        return await self._committer.run_async(work, bulk)

    def commit_groups(self) -> dict[int, int]:
        """How many group commits of each size this process has made (tests, benchmarks)."""
        return dict(self._committer.group_sizes)

    @contextmanager
    def _held_for_group(self) -> Iterator[None]:
        """The committer's locks, as `write` takes them: queued as a request's write (so a
        background writer gives way), then the cross-process flock for the transaction only."""
        with self._writer_lock(background=False), self._processes.held():
            yield
        self._checkpoint_soon()

    def migrate(self) -> None:
        """Run the steps past PRAGMA user_version in one transaction (all or none). A current
        schema is seen without the write lock, so opening never waits for a busy writer."""
        if self.schema_version() == len(MIGRATIONS):
            return
        with storage_errors("migrate the database"), self.write() as conn:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current > len(MIGRATIONS):
                # Written by a newer release: refuse rather than run on a schema we don't know.
                raise StorageError(f"the database is at schema {current}, newer than this app")
            for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in _statements(script):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={version}")

    def backup_to(self, target: Path | str) -> None:
        """A consistent copy while others keep writing (the online backup API, in one step,
        so the copy is one snapshot)."""
        try:
            destination = sqlite3.connect(str(target))
            try:
                self.connection().backup(destination)
            finally:
                destination.close()
        except sqlite3.Error as exc:
            raise StorageError("the backup failed") from exc

    def integrity_ok(self) -> bool:
        """PRAGMA integrity_check: True when SQLite finds nothing wrong with the file."""
        with storage_errors("check the database"):
            rows = self.connection().execute("PRAGMA integrity_check").fetchall()
        return [tuple(row) for row in rows] == [("ok",)]

    def schema_version(self) -> int:
        with storage_errors("read the schema version"):
            return int(self.connection().execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self._committer.close()  # it commits what is queued, on its own connection
        if self._checkpoints is not None:
            self._checkpoints.close()
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
        self._processes.close()


def _statements(script: str) -> Iterator[str]:
    """Split a migration into whole statements (a trigger's body holds semicolons too)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip():
        yield pending


def _casefold(value: object) -> str | None:
    return value.casefold() if isinstance(value, str) else None


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open (SQLite may already have ended it)."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


@contextmanager
def storage_errors(action: str) -> Iterator[None]:
    """Turn sqlite3's errors into the domain's StorageError ("could not <action>")."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StorageError(f"could not {action}") from exc
