"""The evidence pack: one zip an accountant can check without the app.

expenses.csv and expenses.json (the exports' formats), every receipt as
receipts/<expense id>.<ext>, rates.csv (each distinct (date, currency) with the EUR rate that
the app would use for it), and manifest.json with each file's size and SHA-256, the filters,
the period, the export time and the home currency. Written entry by entry as it is produced:
at most one receipt is in memory at a time, and the zip goes to a forward-only stream (entries
carry data descriptors), so the same code writes to a local file or an S3 multipart upload."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from ..domain.csv_format import utc_text
from ..domain.errors import NotFound
from ..domain.expense import ExpenseFilter
from ..domain.export_rows import ExportRow, csv_blocks, data_of
from ..domain.receipts import EXTENSIONS
from ..ports import ExpenseStore, ReceiptStore
from ..ports.rates import Rates

PACK_FORMAT = "expense-tracker evidence pack"
PACK_VERSION = 1
MANIFEST = "manifest.json"
RATES_HEADER = ("date", "currency", "rate_date", "units_per_eur")
Progress = Callable[[int], None]  # rows written so far
REPORT_EVERY = 5000  # rows


class Sink(Protocol):
    """A forward-only byte stream (no tell, no seek)."""

    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


@dataclass
class _Seen:
    """What the expense pass learns on the way: counts, the period, the rates to look up."""

    rows: int = 0
    pairs: set[tuple[str, str]] = field(default_factory=set)  # ISO dates sort as dates do

    def watch(
        self, pages: Iterable[list[ExportRow]], progress: Progress
    ) -> Iterator[list[ExportRow]]:
        for page in pages:
            before, self.rows = self.rows, self.rows + len(page)
            self.pairs.update((row.date, row.currency) for row in page)
            if self.rows // REPORT_EVERY > before // REPORT_EVERY:
                progress(self.rows)
            yield page

    @property
    def first(self) -> date | None:
        return date.fromisoformat(min(day for day, _ in self.pairs)) if self.pairs else None

    @property
    def last(self) -> date | None:
        return date.fromisoformat(max(day for day, _ in self.pairs)) if self.pairs else None


@dataclass(frozen=True)
class PackSources:
    store: ExpenseStore
    receipts: ReceiptStore
    rates: Rates
    user_id: str
    filters: ExpenseFilter
    home_currency: str | None
    exported_at: datetime


@dataclass(frozen=True)
class PackResult:
    rows: int
    receipts: int


class _Pack:
    def __init__(self, sink: Sink, exported_at: datetime) -> None:
        self.zip = zipfile.ZipFile(sink, "w")
        self.stamp = exported_at.timetuple()[:6]
        self.files: list[dict[str, object]] = []

    def add(self, name: str, chunks: Iterable[bytes], *, compress: bool = True) -> None:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        digest, size = hashlib.sha256(), 0
        # ZIP64 for the text files: a forward-only stream must decide before their size is
        # known, and a CSV or JSON of many millions of rows can pass 2 GiB.
        with self.zip.open(info, "w", force_zip64=compress) as entry:
            for chunk in chunks:
                entry.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        self.files.append({"path": name, "size": size, "sha256": digest.hexdigest()})


def write_pack(sink: Sink, src: PackSources, progress: Progress) -> PackResult:
    pack, seen = _Pack(sink, src.exported_at), _Seen()
    with pack.zip:
        pages = seen.watch(src.store.export_pages(src.user_id, src.filters), progress)
        pack.add("expenses.csv", csv_blocks(pages))
        # The JSON as the store writes it (SQLite: in SQL); the CSV pass above saw the rows.
        pack.add("expenses.json", data_of(src.store.export_text(src.user_id, src.filters, "json")))
        stored, missing = _add_receipts(pack, src)
        pack.add("rates.csv", _rate_lines(src.rates, seen.pairs))
        manifest = _manifest(src, seen, stored, missing, pack.files)
        pack.add(MANIFEST, [json.dumps(manifest, indent=2, ensure_ascii=False).encode()])
    return PackResult(seen.rows, stored)


def _add_receipts(pack: _Pack, src: PackSources) -> tuple[int, list[str]]:
    """One receipt read at a time; a file the store lost is named in the manifest."""
    stored, missing = 0, []
    for page in src.store.export_pages(src.user_id, src.filters):
        for row in page:
            if row.receipt_key is None or row.receipt_type is None:
                continue
            try:
                data = src.receipts.read(row.receipt_key)
            except NotFound:
                missing.append(row.id)
                continue
            name = f"receipts/{row.id}.{EXTENSIONS.get(row.receipt_type, 'bin')}"
            pack.add(name, [data], compress=False)  # images and PDFs are compressed already
            stored += 1
    return stored, missing


def _rate_lines(rates: Rates, pairs: set[tuple[str, str]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(RATES_HEADER)
    by_day = {day: rates.on(date.fromisoformat(day)) for day in {day for day, _ in pairs}}
    for day, currency in sorted(pairs):
        found = by_day[day]
        rate = None if found is None else found.per_euro.get(currency)
        if found is not None and rate is not None:
            writer.writerow([day, currency, found.as_of.isoformat(), str(rate)])
    yield buffer.getvalue().encode()


def _manifest(
    src: PackSources, seen: _Seen, stored: int, missing: list[str], files: list[dict[str, object]]
) -> dict[str, object]:
    f = src.filters
    first = f.date_from or seen.first
    last = f.date_to or seen.last
    return {
        "format": PACK_FORMAT,
        "version": PACK_VERSION,
        "exported_at": utc_text(src.exported_at),
        "home_currency": src.home_currency,
        "filters": {
            "from": f.date_from.isoformat() if f.date_from else None,
            "to": f.date_to.isoformat() if f.date_to else None,
            "category": f.category,
            "q": f.text,
        },
        "period": {
            "from": first.isoformat() if first else None,
            "to": last.isoformat() if last else None,
        },
        "expenses": seen.rows,
        "receipts": stored,
        "missing_receipts": missing,
        "files": files,
    }
