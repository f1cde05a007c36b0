"""Receipt scans: per-field accuracy, seconds per receipt and peak memory of the local readers
(Tesseract after the paper is flattened: the default, in `make run`'s install; RapidOCR after
deskew: the optional `rapidocr` extra), then the domain's extraction, on the seeded corpus
(benchmarks/receipt_corpus.py), each run in a fresh process (benchmarks/scan_probe.py).

Baselines, measured in the same run: for accuracy, the extraction alone on each receipt's
printed text (a perfect reader: the ceiling the OCR can reach); for speed, RapidOCR with its
default settings on the first receipts."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from expense_tracker.domain.receipt_fields import TextLine

from .plan import Plan
from .receipt_corpus import receipt_text, receipt_truth
from .report import Section, table
from .scan_scores import FIELDS, both

FULL_COUNT, QUICK_COUNT = 120, 6
BASELINE_FULL, BASELINE_QUICK = 10, 3
# Each reader's share of the section's 6 minutes (on a loaded machine it measures fewer).
BUDGETS = {"tesseract": 180.0, "rapidocr": 140.0, "defaults": 40.0}
LABELS = {
    "tesseract": "Tesseract (default)",
    "rapidocr": "RapidOCR, tuned (optional)",
    "defaults": "baseline: RapidOCR, engine defaults",
}
TARGETS = {"total": 0.9, "date": 0.9, "merchant": 0.8, "currency": 0.95}
P50_TARGET, P95_TARGET = 2.0, 5.0


def probe(count: int, budget: float, mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.scan_probe", str(count), str(budget), mode],
        capture_output=True, text=True, check=True, timeout=budget + 300,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def ceiling(indexes: list[int]) -> dict[str, int]:
    """The extraction's hits on the printed text of these receipts."""
    hits = dict.fromkeys(FIELDS, 0)
    for index in indexes:
        printed = [TextLine(text, 1.0) for text in receipt_text(index)]
        scores = both(printed, receipt_truth(index))
        for name in FIELDS:
            hits[name] += scores[name]
    return hits


def run(plan: Plan, workdir: Path) -> Section:
    del workdir
    count = QUICK_COUNT if plan.quick else FULL_COUNT
    runs = {
        "tesseract": probe(count, BUDGETS["tesseract"], "tesseract"),
        "rapidocr": probe(count, BUDGETS["rapidocr"], "rapidocr"),
        "defaults": probe(
            BASELINE_QUICK if plan.quick else BASELINE_FULL, BUDGETS["defaults"], "defaults"
        ),
    }
    measured = [r["index"] for r in runs["tesseract"]["receipts"]]
    return report({"wanted": count, "runs": runs, "ceiling": ceiling(measured)})


def percentiles(receipts: list[dict[str, Any]], key: str) -> tuple[float, float]:
    values = sorted(r[key] for r in receipts)
    return statistics.median(values), values[min(len(values) - 1, int(len(values) * 0.95))]


def share(run: dict[str, Any], name: str) -> str:
    receipts = run["receipts"]
    return f"{sum(r['scores'][name] for r in receipts) / len(receipts):.0%}" if receipts else "–"


def report(figures: dict[str, Any]) -> Section:
    runs = figures["runs"]
    default = runs["tesseract"]["receipts"]
    count = len(default)
    section = Section("Receipt scans (local OCR)", data=figures)
    rows = [
        (name, *(share(runs[mode], name) for mode in ("tesseract", "rapidocr")),
         f"≥ {TARGETS[name]:.0%}" if name in TARGETS else "–",
         f"{figures['ceiling'][name] / count:.0%}", share(runs["defaults"], name))
        for name in FIELDS
    ]  # fmt: skip
    counts = ", ".join(f"{LABELS[mode]}: {len(run['receipts'])}" for mode, run in runs.items())
    section.add(
        f"The first {figures['wanted']} generated receipts (seeded; rotation up to 10°, "
        "perspective, blur, thermal fading), read by each engine, fields by "
        "domain/receipt_fields.py; each engine stops at its time budget (receipts read: "
        f"{counts}). `merchant` is exact but for letter case; `merchant_letters` also forgives "
        "spaces; `currency_unrelated` gives the extraction a default unrelated to the receipt.",
        table(["field exact", LABELS["tesseract"], LABELS["rapidocr"], "target",
               "baseline: extraction on the printed text", LABELS["defaults"]], rows),
        speed_table(runs),
    )  # fmt: skip
    p50, p95 = percentiles(default, "seconds")
    section.headlines.append(
        f"scans (Tesseract, the default engine, {count} receipts): total "
        f"{share(runs['tesseract'], 'total')}, date {share(runs['tesseract'], 'date')}, "
        f"merchant {share(runs['tesseract'], 'merchant')}, currency "
        f"{share(runs['tesseract'], 'currency')}; p50 {p50:.2f} s, p95 {p95:.2f} s (targets "
        f"{P50_TARGET:.0f} s, {P95_TARGET:.0f} s)"
    )
    return section


def speed_table(runs: dict[str, dict[str, Any]]) -> str:
    rows = []
    for mode, run in runs.items():
        p50, p95 = percentiles(run["receipts"], "seconds")
        cpu50, _ = percentiles(run["receipts"], "cpu_seconds")
        rows.append(
            (
                LABELS[mode],
                f"{p50:.2f} s",
                f"{p95:.2f} s",
                f"{cpu50:.2f} s",
                f"{run['load_seconds']:.1f} s",
                f"{run['peak_rss_kib'] / 1024:,.0f} MiB",
            )
        )
    rows.append(("target", f"< {P50_TARGET:.0f} s", f"< {P95_TARGET:.0f} s", "–", "–", "–"))
    return table(["seconds per receipt (read + extract)", "p50", "p95", "CPU p50 (with "
                  "children)", "engine load", "peak memory (process)"], rows)  # fmt: skip
