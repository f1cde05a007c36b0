"""The `recurring` benchmark section's code runs on tiny sizes (no timing is asserted)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from benchmarks import recurring
from benchmarks.plan import Plan

TINY = dataclasses.replace(Plan.quick_plan(), samples=2, sample_budget_seconds=0.01)


def test_catch_up_makes_a_month_of_occurrences_per_series(tmp_path: Path) -> None:
    scheduler, baseline, made = recurring.catch_up(2, tmp_path)
    assert made == 60
    assert scheduler > 0 and baseline > 0


def test_budget_status_figure_and_its_baseline_are_measured(tmp_path: Path) -> None:
    measured, baseline = recurring.budget_status(40, TINY, tmp_path)
    assert measured > 0 and baseline > 0
