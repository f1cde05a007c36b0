"""The benchmark code runs: its cheapest pieces on tiny sizes. No timing is asserted (the
figures are `make bench`'s business, not the test suite's)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from benchmarks import (
    export_probe,
    home_summary,
    importing,
    imports_job,
    importtime,
    run,
    scale,
    wrk,
)
from benchmarks.dataset import bulk_load, csv_bytes, seeded, seeded_load_rate
from benchmarks.plan import Plan
from benchmarks.report import table

from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore
from expense_tracker.domain.expense import ExpenseFilter

TINY = dataclasses.replace(
    Plan.quick_plan(), scale_sizes=(60,), import_rows=40, samples=2, sample_budget_seconds=0.01
)


def test_bulk_loaded_rows_export_alike_through_the_service_and_the_raw_floor(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "x.sqlite3")
    try:
        bulk_load(SqliteExpenseStore(db), "u1", 75, seed=1)
    finally:
        db.close()
    service = export_probe.probe(str(tmp_path / "x.sqlite3"), "u1", "service")
    raw = export_probe.probe(str(tmp_path / "x.sqlite3"), "u1", "raw")
    assert service["rows"] == raw["rows"] == 75
    assert service["peak_rss_kib"] > 0


def test_scale_section_reports_every_query_at_every_size(tmp_path: Path) -> None:
    (tmp_path / "scale").mkdir()
    section = scale.run(TINY, tmp_path / "scale")
    text = section.markdown()
    for label, _ in (*scale.PAGES, *scale.SUMMARIES):
        assert label in text
    assert section.data["results"][60]["export"]["rows"] == 60


def test_dense_year_holds_every_seeded_expense_in_one_year(tmp_path: Path) -> None:
    [(size, path)] = seeded(tmp_path / "seeded", home_summary.USER, (60,))
    spread = Database(path)
    db = home_summary.dense_year(path, size, tmp_path)
    try:
        everything = SqliteExpenseStore(spread).summary(home_summary.USER, None, None).totals
        year = ExpenseFilter(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
        store = SqliteExpenseStore(db)
        in_the_year = store.summary(home_summary.DENSE_USER, year.date_from, year.date_to).totals
        figures = home_summary.measure(db, home_summary.DENSE_USER, home_summary.DENSE_CASES, TINY)
    finally:
        db.close()
        spread.close()
    assert in_the_year == everything  # the same amounts and counts, all dated 2025
    assert sum(total.count for total in in_the_year) == 60
    assert figures["dense year: a year"].rows > 0


def test_seeded_data_is_loaded_once_and_shared_at_every_size(tmp_path: Path) -> None:
    first = seeded(tmp_path, "u1", (30, 10))
    assert [size for size, _ in first] == [10, 30]
    for size, path in first:
        db = Database(path)
        try:
            totals = SqliteExpenseStore(db).summary("u1", None, None).totals
            assert sum(total.count for total in totals) == size
        finally:
            db.close()
    stamps = [path.stat().st_mtime_ns for _, path in first]
    assert seeded(tmp_path, "u1", (10, 30)) == first  # the same files, not loaded again
    assert [path.stat().st_mtime_ns for _, path in first] == stamps
    assert seeded_load_rate(tmp_path, (10, 30)) > 0


def test_import_section_imports_every_row(tmp_path: Path) -> None:
    figures = importing.measure(40, tmp_path)
    assert figures["rows"] == 40
    assert csv_bytes(3, seed=1).count(b"\r\n") == 4  # header + 3 rows


def test_run_writes_a_report_with_the_machine_and_how_to_reproduce(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "SECTIONS", {"import": lambda _plan, wd: importing.run(TINY, wd)})
    out = tmp_path / "BENCH.md"
    assert run.main(["--quick", "--only", "import", "--out", str(out)]) == 0
    text = out.read_text()
    assert "Quick mode" in text and "make bench" in text and "## Import" in text
    assert "| CPU |" in text


def test_wrk_script_carries_the_token_and_its_figures_are_read() -> None:
    lua = wrk.script(wrk.Request("/api/expenses", "POST", '{"a": 1}', token="t0k"))
    assert "wrk.method = [==[POST]==]" in lua and "Bearer t0k" in lua and "done = function" in lua
    line = (
        'WRKJSON {"requests": 100, "duration_us": 2000000, "non_2xx_3xx": 1, "socket_errors": 0,'
        ' "p50_us": 1500, "p99_us": 9000, "max_us": 12000}'
    )
    result = wrk.parse("Running 2s test\n" + line + "\n")
    assert (result.rate, result.p50, result.non_2xx_3xx) == (50.0, 0.0015, 1)


def test_each_wrk_run_counts_from_its_own_start_so_no_add_repeats_an_earlier_runs() -> None:
    add = wrk.Request("/api/expenses", "POST", '{"amount": "{n}"}')
    starts = [
        int(line.split()[-1])
        for line in (wrk.script(add) + wrk.script(add)).splitlines()
        if line.startswith("local n = ")
    ]
    assert len(starts) == 2 and starts[1] - starts[0] >= wrk.RUN_STRIDE


def test_importtime_output_is_summed_per_top_level_package() -> None:
    stderr = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       100 |        100 |   fastapi.routing\n"
        "import time:        50 |        150 | fastapi\n"
        "import time:        30 |         30 | json\n"
    )
    total, per_package, modules = importtime.parse(stderr)
    assert (total, per_package["fastapi"], modules) == (0.00018, 150, 3)


def test_tables_are_markdown() -> None:
    assert table(["a", "b"], [[1, 2]]) == "| a | b |\n|---|---|\n| 1 | 2 |"


def test_imports_job_section_runs_both_paths_in_their_own_processes(tmp_path: Path) -> None:
    figures = imports_job.measure_local(30, tmp_path)
    assert figures["job"]["rows"] == figures["v1"]["rows"] == 30
    assert figures["job"]["peak_rss_kib"] >= figures["job"]["rss_before_kib"] > 0
    whole, bare = (figures["floor"][name] for _, name in imports_job.FLOORS)
    assert whole > bare > 0  # the schema's indexes cost CPU beyond the bare table's
    rendered = "\n".join(imports_job.local_blocks(figures))
    assert "the whole schema" in rendered and "rows per CPU second" in rendered
    assert "rows per CPU second" in imports_job.local_headline(figures)


def test_import_concurrency_percentiles_take_the_slow_tail() -> None:
    from benchmarks.import_concurrency import percentile, summary

    samples = [0.001] * 98 + [0.5, 0.9]
    assert percentile(samples, 0.99) == 0.5  # the 99th of 100, not the slowest
    assert summary(samples)["p50"] == 0.001


def test_a_peer_add_line_without_a_successful_answer_reads_na_with_the_reason() -> None:
    from benchmarks import side_by_side

    nothing = wrk.WrkResult(0, 5.0, 0, 16, 0.0, 0.0, 0.0)
    refused = wrk.WrkResult(40, 5.0, 40, 0, 0.001, 0.002, 0.003)
    measured = wrk.WrkResult(500, 5.0, 2, 0, 0.001, 0.004, 0.009)

    assert (
        side_by_side._cell(nothing, "add", 1000, "") == "n/a (no answer in 5 s, 16 socket errors)"
    )
    assert side_by_side._cell(refused, "add", 1000, "") == "n/a (all 40 answers were errors)"
    assert side_by_side._cell(None, "add", 1000, "timed out") == "n/a (timed out)"
    assert side_by_side._cell(measured, "add", 1000, "").startswith("100 adds/s, p99 ")
    assert side_by_side._cell(measured, "add", 1000, "").endswith(", 2 errors")
    assert side_by_side._speed(nothing) == 0.0


def test_imports_job_parts_can_be_chosen_by_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(imports_job.PARTS_ENV, "local")
    assert set(imports_job.sizes(Plan.quick_plan())) == {"local"}
    monkeypatch.setenv(imports_job.PARTS_ENV, "local,nonsense")
    with pytest.raises(ValueError, match="nonsense"):
        imports_job.sizes(Plan.quick_plan())
    monkeypatch.delenv(imports_job.PARTS_ENV)
    assert set(imports_job.sizes(Plan.quick_plan())) == set(imports_job.PARTS)
