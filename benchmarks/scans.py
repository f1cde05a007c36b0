"""Receipt scans: per-field accuracy, seconds per receipt and peak memory of the local reader
(RapidOCR after deskew, then the domain's extraction) on the seeded corpus
(benchmarks/receipt_corpus.py), each run in a fresh process (benchmarks/scan_probe.py).

Baselines, measured in the same run: for accuracy, the extraction alone on each receipt's
printed text (a perfect reader: the ceiling the OCR can reach); for speed, the same engine
with its default settings on the first receipts."""

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
BUDGET_SECONDS = 270.0  # the tuned reader's share of the section's 6 minutes (a loaded machine)
BASELINE_BUDGET = 60.0
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
    tuned = probe(count, BUDGET_SECONDS, "tuned")
    defaults = probe(BASELINE_QUICK if plan.quick else BASELINE_FULL, BASELINE_BUDGET, "defaults")
    measured = [r["index"] for r in tuned["receipts"]]
    figures = {"wanted": count, "tuned": tuned, "defaults": defaults, "ceiling": ceiling(measured)}
    return report(figures)


def percentiles(receipts: list[dict[str, Any]], key: str) -> tuple[float, float]:
    values = sorted(r[key] for r in receipts)
    return statistics.median(values), values[min(len(values) - 1, int(len(values) * 0.95))]


def hits(receipts: list[dict[str, Any]]) -> dict[str, int]:
    return {name: sum(r["scores"][name] for r in receipts) for name in FIELDS}


def report(figures: dict[str, Any]) -> Section:
    tuned, defaults = figures["tuned"], figures["defaults"]
    count = len(tuned["receipts"])
    got, top, base = hits(tuned["receipts"]), figures["ceiling"], hits(defaults["receipts"])
    section = Section("Receipt scans (local OCR)", data=figures)
    rows = [
        (name, f"{got[name] / count:.0%}", f"≥ {TARGETS[name]:.0%}" if name in TARGETS else "–",
         f"{top[name] / count:.0%}", f"{base[name] / len(defaults['receipts']):.0%}")
        for name in FIELDS
    ]  # fmt: skip
    short = "" if count == figures["wanted"] else f" (of {figures['wanted']}: time budget)"
    section.add(
        f"{count} generated receipts{short} (seeded; rotation up to 10°, perspective, blur, "
        "thermal fading), read by RapidOCR after deskew, fields by domain/receipt_fields.py. "
        "`merchant` is exact but for letter case; `merchant_letters` also forgives spaces; "
        "`currency_unrelated` gives the extraction a default unrelated to the receipt.",
        table(["field exact", "OCR + extraction", "target", "baseline: extraction on the "
               "printed text", f"engine defaults ({len(defaults['receipts'])} receipts)"], rows),
        speed_table(tuned, defaults),
    )  # fmt: skip
    p50, p95 = percentiles(tuned["receipts"], "seconds")
    section.headlines.append(
        f"scans: total {got['total'] / count:.0%}, date {got['date'] / count:.0%}, merchant "
        f"{got['merchant'] / count:.0%}, currency {got['currency'] / count:.0%}; "
        f"p50 {p50:.2f} s, p95 {p95:.2f} s (targets 2 s, 5 s)"
    )
    return section


def speed_table(tuned: dict[str, Any], defaults: dict[str, Any]) -> str:
    rows = []
    for label, run in (("tuned reader", tuned), ("baseline: engine defaults", defaults)):
        p50, p95 = percentiles(run["receipts"], "seconds")
        cpu50, _ = percentiles(run["receipts"], "cpu_seconds")
        rows.append(
            (
                label,
                f"{p50:.2f} s",
                f"{p95:.2f} s",
                f"{cpu50:.2f} s",
                f"{run['load_seconds']:.1f} s",
                f"{run['peak_rss_kib'] / 1024:,.0f} MiB",
            )
        )
    rows.append(("target", f"< {P50_TARGET:.0f} s", f"< {P95_TARGET:.0f} s", "–", "–", "–"))
    return table(["seconds per receipt (read + extract)", "p50", "p95", "CPU p50",
                  "engine load", "peak memory (process)"], rows)  # fmt: skip
