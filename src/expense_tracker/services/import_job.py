"""The import job: read the uploaded statement as a stream, categorise, drop duplicates, store in
chunks, report progress. Idempotent: every row's duplicate key is stored with the job's id, so a
rerun after a crash counts what an earlier attempt stored and adds nothing twice.

Checkpoints: after every chunk of CHUNK_ROWS rows read, everything read so far is stored, so
the counters then are a point to resume from (progress reports are taken there). When the run's
time slice is spent (reporter.out_of_time) the job returns Continue with that checkpoint and,
for a CSV, the byte offset there and the keys read so far (import_seen.py): the next run seeks
to the offset and carries on. Otherwise (another format, or a crash after a progress report)
the next run reads the file again, replays the rows before the checkpoint without writing (to
rebuild the keys of the file's own repeated rows) and carries on. All-or-nothing holds across
slices: the chunks of every slice carry the job's id and are all removed when the import fails."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..domain.errors import Invalid
from ..domain.expense import Expense, ExpenseDraft
from ..domain.import_drafts import DraftMaker
from ..domain.imports import (
    MAX_LISTED_ERRORS,
    Rule,
    bank_key,
    categorise,
    content_key,
    id_key,
    nth_key,
)
from ..domain.statements import LineError, Outcome, StatementFormat, StatementRow
from ..domain.statements.csv_lines import Cursor
from ..domain.statements.csv_rows import ColumnMapping
from ..domain.statements.detect import HEAD_BYTES, format_mismatch
from ..domain.statements.parse import parse_statement
from ..ports import Clock, Profiles, ReceiptStore
from ..ports.imports import ImportLedger, KeyedExpense, RuleStore
from ..ports.jobs import Continue, Job, JobData, JobFailed, JobReporter
from .import_ids import RowIds, our_id
from .import_seen import SeenKeys, load_seen, save_seen, seen_key
from .imports import upload_key
from .jobs import MAX_ATTEMPTS

CHUNK_ROWS = 10_000  # rows read per store write at most (the ledger's batch_rows may be less)
REPORT_SECONDS = 1.0  # between progress reports (each is a durable write of the job)
RESUME = "resume"  # the progress entry a later slice starts from (not shown by the API)


@dataclass
class Tally:
    processed: int = 0
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append({"line": line, "message": message})

    @classmethod
    def resumed(cls, progress: Mapping[str, Any]) -> Tally:
        errors = [dict(e) for e in progress.get("errors") or []]
        counts = {name: int(progress.get(name) or 0) for name in _COUNTS}
        return cls(**counts, errors=errors)

    def progress(self) -> dict[str, Any]:
        return {
            "processed": self.processed,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "error_count": self.error_count,
            "errors": list(self.errors),
        }


_COUNTS = ("processed", "imported", "duplicates", "skipped", "error_count")


@dataclass(frozen=True)
class ImportDeps:
    ledger: ImportLedger
    rules: RuleStore
    receipts: ReceiptStore
    profiles: Profiles
    clock: Clock


def run_import(job: Job, reporter: JobReporter, *, deps: ImportDeps) -> JobData | Continue:
    """The "import" job handler (bootstrap binds `deps`)."""
    key = upload_key(job.user_id, job.id)
    try:
        result = _import(job, reporter, deps, key)
    except JobFailed:
        deps.receipts.delete(key)
        deps.receipts.delete(seen_key(key))
        raise
    except Exception:
        if job.attempts >= MAX_ATTEMPTS:  # the last try: leave nothing of it behind
            deps.ledger.discard(job.user_id, job.id)
        raise
    if isinstance(result, Continue):
        return result
    deps.receipts.delete(key)
    deps.receipts.delete(seen_key(key))
    return result.progress()


def _import(job: Job, reporter: JobReporter, deps: ImportDeps, key: str) -> Tally | Continue:
    fmt: StatementFormat = job.params["format"]  # type: ignore[assignment]
    resume: Mapping[str, Any] | None = job.progress.get(RESUME)  # type: ignore[assignment]
    if resume is None:
        _check_format(fmt, deps, key)
    run = _Run(job, deps, resume)
    cursor = _cursor(run, deps, key, resume, Tally.resumed(job.progress)) if fmt == "csv" else None
    with deps.receipts.open_stream(key) as stream:
        outcomes = parse_statement(
            fmt,
            stream,
            mapping=_mapping(job),
            day_first=bool(job.params.get("day_first")),
            cursor=cursor,
        )
        if resume is not None and not (cursor and cursor.offset):
            run.replay(outcomes, Tally.resumed(job.progress))
        size = min(CHUNK_ROWS, deps.ledger.batch_rows)
        reported = time.monotonic()
        for chunk in _chunks(outcomes, run.tally.processed, size):
            for outcome in chunk:
                run.take(outcome)
            run.flush()
            at_checkpoint = run.tally.processed % size == 0  # (not at the file's end)
            if at_checkpoint and reporter.out_of_time():
                return Continue(run.stop_at(cursor, key))
            if time.monotonic() - reported >= REPORT_SECONDS:
                reporter.report(run.checkpoint())
                reported = time.monotonic()
    run.flush()
    if run.tally.error_count and not job.params.get("partial"):
        deps.ledger.discard(job.user_id, job.id)
        run.tally.imported = 0
        count = run.tally.error_count
        raise JobFailed(
            f"{count} line(s) could not be imported; nothing was imported", run.tally.progress()
        )
    return run.tally


def _cursor(
    run: _Run, deps: ImportDeps, key: str, resume: Mapping[str, Any] | None, resumed: Tally
) -> Cursor:
    """Where a CSV's reading starts: at the checkpoint's byte offset when the keys read up
    to it were kept, else at the start (and the run replays the rows before the checkpoint)."""
    offset = int((resume or {}).get("offset") or 0)
    seen = load_seen(deps.receipts, key, resumed.processed) if offset else None
    if resume is None or seen is None:
        return Cursor()
    run.seen, run.tally = seen, resumed
    return Cursor(offset, int(resume.get("lines") or 0))


def _check_format(fmt: StatementFormat, deps: ImportDeps, key: str) -> None:
    with deps.receipts.open_stream(key) as head_stream:
        mismatch = format_mismatch(fmt, head_stream.read(HEAD_BYTES))
    if mismatch:
        raise JobFailed(mismatch, _failed(1, f"{mismatch}; nothing was imported"))


def _chunks(outcomes: Iterator[Outcome], done: int, size: int) -> Iterator[Iterator[Outcome]]:
    """The rest of the file in pieces that end where the rows read reach a multiple of
    `size` (the checkpoints), whichever slice they start in."""
    while True:
        head = next(outcomes, None)
        if head is None:
            return
        rest = size - done % size
        done += rest
        yield itertools.chain((head,), itertools.islice(outcomes, rest - 1))


def _failed(line: int, message: str) -> dict[str, Any]:
    tally = Tally()
    tally.error(line, message)
    return tally.progress()


def _mapping(job: Job) -> ColumnMapping | None:
    raw = job.params.get("mapping")
    return ColumnMapping(**raw) if isinstance(raw, dict) else None


class _Run:
    """One slice's state: counters, the keys seen in this file, the batch being filled. The
    import's moment, day and default currency are fixed by its first slice."""

    def __init__(self, job: Job, deps: ImportDeps, resume: Mapping[str, Any] | None) -> None:
        self.job, self.deps, self.tally = job, deps, Tally()
        self.partial = bool(job.params.get("partial"))
        self.rules: list[Rule] = deps.rules.all(job.user_id)
        if resume is None:
            self.currency = deps.profiles.default_currency(job.user_id)
            self.today, self.now = deps.clock.today(), deps.clock.now()
        else:
            self.currency = str(resume["currency"])
            self.today = date.fromisoformat(str(resume["today"]))
            self.now = datetime.fromisoformat(str(resume["moment"]))
        self.drafts = DraftMaker(default_currency=self.currency, today=self.today)
        self.seen = SeenKeys()
        self.batch: list[KeyedExpense] = []
        self.writing = True
        self.ids = RowIds(job)

    def replay(self, outcomes: Iterator[Outcome], resumed: Tally) -> None:
        """Read the rows an earlier slice stored again, keeping only their keys."""
        self.writing = False
        for outcome in itertools.islice(outcomes, resumed.processed):
            self.take(outcome)
        self.writing, self.tally = True, resumed

    def stop_at(self, cursor: Cursor | None, key: str) -> dict[str, Any]:
        """The checkpoint of a slice that stops, with where a CSV's next slice seeks to."""
        checkpoint = self.checkpoint()
        if cursor is not None:
            save_seen(self.deps.receipts, key, self.seen, self.tally.processed)
            checkpoint[RESUME].update(offset=cursor.offset, lines=cursor.lines)
        return checkpoint

    def checkpoint(self) -> dict[str, Any]:
        """The counters (everything read so far is stored) and what the next slice needs."""
        fixed = {"currency": self.currency, "today": self.today.isoformat()}
        return {**self.tally.progress(), RESUME: {**fixed, "moment": self.now.isoformat()}}

    def take(self, outcome: StatementRow | LineError) -> None:
        self.tally.processed += 1
        if isinstance(outcome, LineError):
            self.tally.error(outcome.line, outcome.message)
            return
        if outcome.direction != "debit":
            self.tally.skipped += 1
            return
        try:
            draft = self._draft(outcome)
        except Invalid as exc:
            self.tally.error(outcome.line, "; ".join(f"{e.field}: {e.message}" for e in exc.errors))
            return
        key = self._key(outcome, draft)
        if key is None:
            self.tally.duplicates += 1
            return
        if not self.writing or (self.tally.error_count and not self.partial):
            return  # replaying; or nothing will be kept: stop writing, read on for the errors
        expense = self._expense(outcome, draft)
        self.batch.append(KeyedExpense(key, expense, expense.id == outcome.expense_id))

    def _draft(self, row: StatementRow) -> ExpenseDraft:
        category = row.category or categorise(row.description, self.rules)
        return self.drafts.draft(row.amount, row.currency, category, row.description, row.date)

    def _key(self, row: StatementRow, draft: ExpenseDraft) -> str | None:
        """The row's duplicate key; None when the file had it already (a content key is
        numbered by its occurrence, so it never repeats)."""
        if row.expense_id or row.bank_id:
            key = id_key(row.expense_id) if row.expense_id else bank_key(str(row.bank_id))
            return key if self.seen.first(key) else None
        base = content_key(draft.date, draft.amount, draft.currency, draft.description)
        return nth_key(base, self.seen.nth(base))

    def _expense(self, row: StatementRow, draft: ExpenseDraft) -> Expense:
        now = self.now
        known = row.expense_id if row.expense_id and our_id(row.expense_id) else None
        return Expense(
            id=known or self.ids.of(self.tally.processed),
            user_id=self.job.user_id,
            amount=draft.amount,
            currency=draft.currency,
            category=draft.category,
            description=draft.description,
            date=draft.date,
            created_at=now,
            updated_at=now,
        )

    def flush(self) -> None:
        if not self.batch:
            return
        result = self.deps.ledger.add_batch(self.job.user_id, self.job.id, self.batch)
        self.tally.imported += result.added
        self.tally.duplicates += result.duplicates
        self.batch = []
