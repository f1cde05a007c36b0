"""imports_job: the v2 import job, three ways, each beside a baseline from the same run.

1. A CSV locally, end to end (start to done, through the SQLite jobs worker thread), beside
   the v1 synchronous import of the same file; rows/s and peak memory, each in a fresh process.
2. A large CSV imported by a running local server while another user works: /api/health and
   that user's add, p50/p99 idle (the baseline) and while the import runs.
3. A CSV imported on the AWS stand-ins by the worker function in time slices: how many
   invocations and the longest, beside the same work in one invocation (their sum)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import import_concurrency, import_dynamodb, import_floor
from .dataset import csv_bytes
from .plan import Plan
from .report import Section, count, mib, ms, ratio, table

MODES = (("import job (v2: stream, dedupe, batches)", "job"), ("import_csv (v1): baseline", "v1"))
# SQLite's own inserts of as many rows, no parsing and no Python per row (import_floor): the
# whole schema an import writes, and the bare table beside it.
FLOORS = (
    (
        "the whole schema (3 indexes, FTS5 trigram, import keys, totals)",
        "+ import_keys, totals (all v10)",
    ),
    ("the bare table (its primary key only)", "bare table (PK only)"),
)
TARGET_ROWS_PER_SECOND = 80_000
TARGET_GROWTH_MIB = 100
TARGET_HEALTH_P99 = 0.050
TARGET_INVOCATION_SECONDS = 15.0
# Which parts to run (comma-separated, default all): "local" alone takes a minute, where the
# whole section takes twenty (the 500k-row and the DynamoDB parts).
PARTS_ENV = "BENCH_IMPORTS_JOB_PARTS"
PARTS = ("local", "concurrent", "dynamodb")


def parts() -> tuple[str, ...]:
    chosen = [p.strip() for p in os.environ.get(PARTS_ENV, "").split(",") if p.strip()]
    unknown = set(chosen) - set(PARTS)
    if unknown:
        raise ValueError(f"{PARTS_ENV}: unknown part(s) {', '.join(sorted(unknown))}")
    return tuple(chosen) or PARTS


def sizes(plan: Plan) -> dict[str, int]:
    """Rows per measurement of the parts chosen: the issue's sizes in the full run."""
    if plan.quick:
        every = {"local": plan.import_rows, "concurrent": 10_000, "dynamodb": 3_000}
    else:
        every = {"local": plan.import_rows, "concurrent": 500_000, "dynamodb": 100_000}
    return {part: every[part] for part in parts()}


def run_probe(workdir: Path, csv_path: Path, mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.import_job_probe", str(workdir), str(csv_path), mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure_local(rows: int, workdir: Path) -> dict[str, Any]:
    csv_path = workdir / "statement.csv"
    csv_path.write_bytes(csv_bytes(rows, seed=11))
    figures: dict[str, Any] = {"rows": rows, "bytes": csv_path.stat().st_size}
    for _, mode in MODES:
        folder = workdir / mode
        folder.mkdir()
        figures[mode] = run_probe(folder, csv_path, mode)
        if figures[mode]["rows"] != rows:
            raise RuntimeError(f"{mode} imported {figures[mode]['rows']} of {rows} rows")
    data = import_floor.rows(rows)
    figures["floor"] = {
        name: import_floor.measure(import_floor.VARIANTS[name], data) for _, name in FLOORS
    }
    return figures


def growth_kib(result: dict[str, Any]) -> int:
    return int(result["peak_rss_kib"]) - int(result["rss_before_kib"])


def run(plan: Plan, workdir: Path) -> Section:
    rows = sizes(plan)
    data: dict[str, Any] = {}
    section = Section("Import job", data=data)
    if "local" in rows:
        data["local"] = local = measure_local(rows["local"], workdir)
        section.headlines.append(local_headline(local))
        section.add(*local_blocks(local))
    if "concurrent" in rows:
        data["concurrent"] = busy = import_concurrency.measure(rows["concurrent"], workdir)
        section.headlines.append(concurrency_headline(busy))
        section.add(*concurrency_blocks(busy))
    if "dynamodb" in rows:
        (workdir / "aws").mkdir()
        data["aws"] = sliced = import_dynamodb.measure(rows["dynamodb"], workdir / "aws")
        section.headlines.append(aws_headline(sliced))
        section.add(*aws_blocks(sliced))
    return section


def local_headline(local: dict[str, Any]) -> str:
    job, v1 = local["job"], local["v1"]
    whole = local["floor"][FLOORS[0][1]]
    return (
        f"Import job: {count(local['rows'] / job['seconds'])} rows/s end to end for a "
        f"{count(local['rows'])}-row CSV (target {count(TARGET_ROWS_PER_SECOND)}), peak memory "
        f"growth {mib(growth_kib(job) * 1024)} (v1: {count(local['rows'] / v1['seconds'])} "
        f"rows/s, {mib(growth_kib(v1) * 1024)}); SQLite's inserts alone into the same schema: "
        f"{count(local['rows'] / whole)} rows per CPU second."
    )


def concurrency_headline(busy: dict[str, Any]) -> str:
    return (
        f"During a {count(busy['rows'])}-row import: /api/health p99 "
        f"{ms(busy['health']['busy']['p99'])} (idle {ms(busy['health']['idle']['p99'])}, target "
        f"< {ms(TARGET_HEALTH_P99)}); another user's add p99 {ms(busy['add']['busy']['p99'])} "
        f"(idle {ms(busy['add']['idle']['p99'])}, target < 2x idle)."
    )


def aws_headline(sliced: dict[str, Any]) -> str:
    longest, whole = max(sliced["invocations"]), sum(sliced["invocations"])
    return (
        f"On DynamoDB Local: {count(sliced['rows'])} rows in {len(sliced['invocations'])} "
        f"worker invocations, the longest {longest:.1f} s (target <= "
        f"{TARGET_INVOCATION_SECONDS:.0f} s; in one invocation: {whole:.1f} s)."
    )


def local_blocks(f: dict[str, Any]) -> list[str]:
    v1 = f["v1"]
    return [
        f"A {count(f['rows'])}-row CSV ({mib(f['bytes'])}) imported into an empty SQLite "
        "database, each run in a fresh process. The job's time runs from the start to its status "
        "reading done: the SQLite jobs worker thread reads the uploaded object as a stream, keeps "
        "a duplicate key per row and stores batches of 10,000 rows in time-boxed transactions "
        "(1 s at most, ended early when a request's write waits; not fsynced: the job's end "
        "is), the totals summed by SQLite per step; the v1 baseline parses the whole body, then "
        f"stores it in one transaction. Targets: {count(TARGET_ROWS_PER_SECOND)} rows/s, growth < "
        f"{TARGET_GROWTH_MIB} MiB.",
        table(
            ["path", "time", "rows/s", "CPU time", "peak RSS growth", "time ÷ v1's"],
            [
                [
                    label,
                    ms(f[key]["seconds"]),
                    count(f["rows"] / f[key]["seconds"]),
                    ms(f[key]["cpu_seconds"]),
                    mib(growth_kib(f[key]) * 1024),
                    ratio(f[key]["seconds"], v1["seconds"]),
                ]
                for label, key in MODES
            ],
        ),
        *floor_blocks(f),
    ]


def floor_blocks(f: dict[str, Any]) -> list[str]:
    rows, whole = f["rows"], f["floor"][FLOORS[0][1]]
    return [
        "The floor: SQLite's own inserts of as many rows (`benchmarks/import_floor.py`, the "
        "median of 3 runs in this process): prepared tuples, no parsing and no Python per row, "
        "10,000-row transactions of one INSERT ... SELECT each through the staging table (the "
        "job's own steps are smaller, so they cost it more), synchronous=NORMAL. The target "
        "needs the whole import in "
        f"{ms(rows / TARGET_ROWS_PER_SECOND)}; SQLite alone spends {ms(whole)} of CPU writing "
        "the rows into the indexes the other features need (the date index that covers every "
        "column and each row's CSV line for the exports, the category and amount indexes for "
        "lists and duplicate alerts, the trigram index for search kept in the same transaction, "
        "the import keys that make a rerun add nothing, the daily and monthly totals of the "
        "summaries), so on this machine no import into this schema reaches the target; the "
        "job's own work is what it spends above the floor.",
        table(
            [
                "SQLite alone, the same rows",
                "CPU time",
                "rows per CPU second",
                "÷ the target's rate",
            ],
            [
                [
                    label,
                    ms(f["floor"][name]),
                    count(rows / f["floor"][name]),
                    f"{rows / f['floor'][name] / TARGET_ROWS_PER_SECOND:.2f}×",
                ]
                for label, name in FLOORS
            ],
        ),
    ]


def concurrency_blocks(b: dict[str, Any]) -> list[str]:
    rows = []
    probes = (("health", "GET /api/health"), ("add", "another user's POST /api/expenses"))
    for name, label in probes:
        idle, busy = b[name]["idle"], b[name]["busy"]
        rows.append(
            [
                label,
                f"{ms(idle['p50'])} / {ms(idle['p99'])}",
                f"{ms(busy['p50'])} / {ms(busy['p99'])} ({busy['n']} samples)",
                ratio(busy["p99"], idle["p99"]),
            ]
        )
    return [
        f"A local server (`expense-tracker serve`, one worker) imports a {count(b['rows'])}-row "
        f"CSV ({mib(b['bytes'])}) in its jobs worker process (started by the server, niced; "
        f"{b['seconds']:.1f} s from the start "
        f"to done, {count(b['rows'] / b['seconds'])} rows/s) while one client, in turn, asks "
        "for /api/health and adds an expense as another user; the baseline is the same requests "
        f"on the idle server just before. Targets: health p99 < {ms(TARGET_HEALTH_P99)}, the "
        "add's p99 < 2x its idle p99.",
        table(["request", "idle p50 / p99", "during the import p50 / p99", "p99 ÷ idle"], rows),
    ]


def aws_blocks(s: dict[str, Any]) -> list[str]:
    durations = s["invocations"]
    return [
        f"A {count(s['rows'])}-row CSV imported on DynamoDB Local with moto's S3 and SQS: each "
        "SQS message is one worker invocation (BatchSize 1) with a Lambda context of 900 s; a "
        f"slice stops at its first checkpoint after {s['slice_seconds']:.0f} s, stores it, and "
        "queues its continuation. Each batch of 500 rows: BatchGetItem for its keys and ids, "
        "one small transaction per chunk (its tag and totals), BatchWriteItem from 8 threads. "
        "The baseline is the same work as one invocation (the sum), which is how the job ran "
        "before it was sliced.",
        table(
            ["", "invocations", "longest", "total", "rows/s"],
            [
                [
                    "sliced (10 s budget)",
                    str(len(durations)),
                    f"{max(durations):.1f} s",
                    f"{sum(durations):.1f} s",
                    count(s["rows"] / sum(durations)),
                ],
                ["one invocation: baseline", "1", f"{sum(durations):.1f} s", "", ""],
            ],
        ),
    ]
