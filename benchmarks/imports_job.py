"""imports_job: a CSV through the v2 import job (upload object -> job -> SQLite in chunks),
beside the v1 synchronous import of the same file; rows/s and peak memory, each in a fresh
process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from .dataset import csv_bytes
from .plan import Plan
from .report import Section, count, mib, ms, ratio, table

MODES = (("import job (v2: stream, dedupe, chunks)", "job"), ("import_csv (v1): baseline", "v1"))


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


def measure(rows: int, workdir: Path) -> dict[str, Any]:
    csv_path = workdir / "statement.csv"
    csv_path.write_bytes(csv_bytes(rows, seed=11))
    figures: dict[str, Any] = {"rows": rows, "bytes": csv_path.stat().st_size}
    for _, mode in MODES:
        folder = workdir / mode
        folder.mkdir()
        figures[mode] = run_probe(folder, csv_path, mode)
        if figures[mode]["rows"] != rows:
            raise RuntimeError(f"{mode} imported {figures[mode]['rows']} of {rows} rows")
    return figures


def growth_kib(result: dict[str, Any]) -> int:
    return int(result["peak_rss_kib"]) - int(result["rss_before_kib"])


def run(plan: Plan, workdir: Path) -> Section:
    f = measure(plan.import_rows, workdir)
    job, v1 = f["job"], f["v1"]
    section = Section("Import job", data=f)
    section.headlines.append(
        f"Import job: {count(f['rows'] / job['seconds'])} rows/s for a {count(f['rows'])}-row "
        f"CSV, peak memory growth {mib(growth_kib(job) * 1024)} "
        f"(v1: {count(f['rows'] / v1['seconds'])} rows/s, {mib(growth_kib(v1) * 1024)})."
    )
    section.add(
        f"A {count(f['rows'])}-row CSV ({mib(f['bytes'])}) imported into an empty SQLite "
        "database, each run in a fresh process. The job reads the uploaded object as a stream, "
        "keeps a duplicate key per row and writes chunks of 2,000 rows, each its own transaction; "
        "the v1 baseline parses the whole body, then stores it in one transaction.",
        table(
            ["path", "time", "rows/s", "peak RSS growth", "time ÷ v1's"],
            [
                [
                    label,
                    ms(f[key]["seconds"]),
                    count(f["rows"] / f[key]["seconds"]),
                    mib(growth_kib(f[key]) * 1024),
                    ratio(f[key]["seconds"], v1["seconds"]),
                ]
                for label, key in MODES
            ],
        ),
    )
    return section
