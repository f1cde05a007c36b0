"""The migration's kinds beyond expenses: budgets, recurring series, alerts (with the marks that
keep an alert from being raised twice and the e-mail setting), and import rules.

Each keeps its ids and versions, so occurrences of a series (their ids derive from the series
id) and the series' watermark line up with the expenses already moved. Idempotent: a record
already there is kept, or replaced when the source holds a newer version."""

from __future__ import annotations

from dataclasses import replace

from ..domain.errors import NotFound
from ..ports.imports import RuleStore
from ..ports.plans import ALERT, ALERT_MARK, BUDGET, RECURRING, SETTINGS, PlanRecord, PlanStore

PAGE = 200
# Every kind the plans port holds for a user (its bookkeeping markers too).
PLAN_KINDS = (BUDGET, RECURRING, ALERT, ALERT_MARK, SETTINGS)


def copy_plans(source: PlanStore, target: PlanStore, source_id: str, target_id: str) -> int:
    """Budgets, recurring series and alerts, a page of each kind at a time."""
    written = 0
    for kind in PLAN_KINDS:
        after: str | None = None
        while records := source.records(source_id, kind, PAGE, after):
            moved = [replace(r, user_id=target_id) for r in records]
            written += len(moved) if target.create(moved) else _one_by_one(target, moved)
            after = records[-1].id
    return written


def _one_by_one(target: PlanStore, records: list[PlanRecord]) -> int:
    written = 0
    for record in records:
        try:
            current = target.get(record.user_id, record.kind, record.id)
        except NotFound:
            written += int(target.create([record]))
            continue
        if current.version < record.version:
            target.replace(record, expected_version=current.version)
            written += 1
    return written


def copy_rules(source: RuleStore, target: RuleStore, source_id: str, target_id: str) -> int:
    """Import rules in their order (time-sortable ids), ids and versions kept."""
    written, after = 0, None
    while True:
        page = source.list_page(source_id, PAGE, after)
        for rule in page.items:
            moved = replace(rule, user_id=target_id)
            try:
                current = target.get(target_id, rule.id)
            except NotFound:
                target.add(moved)
                written += 1
                continue
            if current.version < rule.version:
                target.replace(moved, current.version)
                written += 1
        if page.next is None:
            return written
        after = page.next
