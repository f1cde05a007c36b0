"""Receipt scans: per-field accuracy and seconds per receipt of the local reader (RapidOCR with
deskew, then the domain's extraction) on the seeded corpus (benchmarks/receipt_corpus.py).

Baseline, measured in the same run: the extraction alone on each receipt's printed text (a
perfect reader), which is the ceiling the OCR can reach. Currency is scored twice: with the
user's default currency being the receipt's country's (the usual case) and with an unrelated
default (USD), where only printed marks count."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from expense_tracker.adapters.common.tesseract_reader import TesseractReader
from expense_tracker.domain.receipt_fields import ReceiptFields, TextLine, extract, group_rows
from expense_tracker.services.scan_images import upright_jpeg

from .plan import Plan
from .receipt_corpus import make_receipt, receipt_text
from .report import Section, table

FULL_COUNT, QUICK_COUNT = 120, 6
FIELDS = ("total", "date", "merchant", "merchant_letters", "currency", "currency_unrelated")


def score(
    fields: ReceiptFields, unrelated: ReceiptFields, truth: dict[str, Any]
) -> dict[str, bool]:
    merchant = (fields.merchant or "").lower()
    return {
        "total": str(fields.total) == truth["total"],
        "date": (fields.date.isoformat() if fields.date else None) == truth["date"],
        "merchant": merchant == truth["merchant"].lower(),
        "merchant_letters": merchant.replace(" ", "") == truth["merchant"].lower().replace(" ", ""),
        "currency": fields.currency == truth["currency"],
        "currency_unrelated": unrelated.currency == truth["currency"],
    }


def both(lines: list[TextLine], truth: dict[str, Any]) -> dict[str, bool]:
    home = extract(lines, default_currency=truth["currency"], locale=truth["locale"])
    usd = "EUR" if truth["currency"] == "USD" else "USD"
    other = extract(lines, default_currency=usd, locale=truth["locale"])
    return score(home, other, truth)


def measure(count: int, read: Callable[[bytes], list[TextLine]]) -> dict[str, Any]:
    hits = dict.fromkeys(FIELDS, 0)
    ceiling = dict.fromkeys(FIELDS, 0)
    seconds: list[float] = []
    for index in range(count):
        photo, truth = make_receipt(index)
        started = time.perf_counter()
        lines = group_rows(read(photo))
        result = both(lines, truth)
        seconds.append(time.perf_counter() - started)
        perfect = both([TextLine(t, 1.0) for t in receipt_text(index)], truth)
        for name in FIELDS:
            hits[name] += result[name]
            ceiling[name] += perfect[name]
    return {"count": count, "hits": hits, "ceiling": ceiling, "seconds": seconds}


def run(plan: Plan, workdir: Path) -> Section:
    del workdir
    reader = TesseractReader()
    count = QUICK_COUNT if plan.quick else FULL_COUNT
    figures = measure(count, lambda photo: reader.read(upright_jpeg(photo), "image/jpeg").lines)
    return report(figures)


def report(figures: dict[str, Any]) -> Section:
    count, seconds = figures["count"], sorted(figures["seconds"])
    p95 = seconds[min(len(seconds) - 1, int(len(seconds) * 0.95))]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    section = Section("Receipt scans (local OCR)", data=figures)
    rows = [
        (name, f"{figures['hits'][name] / count:.0%}", f"{figures['ceiling'][name] / count:.0%}")
        for name in FIELDS
    ]
    section.add(
        f"{count} generated receipts (seeded; rotation up to 10°, perspective, blur, thermal "
        "fading), read by Tesseract (Debian's tesseract-ocr, the default local engine) after "
        "the paper is flattened, fields by domain/receipt_fields.py. "
        "`merchant_letters` ignores spaces; "
        "`currency_unrelated` gives the extraction a default unrelated to the receipt.",
        table(
            ["field exact", "OCR + extraction", "baseline: extraction on the printed text"], rows
        ),
        table(
            ["seconds per receipt", "p50", "p95", "peak memory"],
            [
                (
                    "read + extract",
                    f"{statistics.median(seconds):.2f} s",
                    f"{p95:.2f} s",
                    f"{peak_mib:,.0f} MiB",
                )
            ],
        ),  # fmt: skip
    )
    section.headlines.append(
        f"scans: total {figures['hits']['total'] / count:.0%}, date "
        f"{figures['hits']['date'] / count:.0%}, p50 {statistics.median(seconds):.1f} s"
    )
    return section
