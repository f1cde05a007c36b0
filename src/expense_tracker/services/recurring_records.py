"""A recurring series as a plan record: to and from the record's body, and read by id."""

from __future__ import annotations

from datetime import date

from ..domain.money import format_amount, parse_amount
from ..domain.recurrence import Series
from ..ports.plans import RECURRING, PlanRecord, PlanStore
from .plan_records import known_id


def series_from_record(record: PlanRecord) -> Series:
    b = record.body
    done = b.get("done_through")
    return Series(
        id=record.id,
        user_id=record.user_id,
        amount=parse_amount(str(b["amount"]), str(b["currency"])),
        currency=str(b["currency"]),
        category=str(b["category"]),
        description=str(b["description"]),
        rule=str(b["rule"]),
        start=date.fromisoformat(str(b["start"])),
        until=date.fromisoformat(str(b["until"])) if b.get("until") else None,
        done_through=date.fromisoformat(str(done)) if done else None,
        version=record.version,
    )


def series_to_record(series: Series) -> PlanRecord:
    body = {
        "amount": format_amount(series.amount, series.currency),
        "currency": series.currency,
        "category": series.category,
        "description": series.description,
        "rule": series.rule,
        "start": series.start.isoformat(),
        "until": series.until.isoformat() if series.until else None,
        "done_through": series.done_through.isoformat() if series.done_through else None,
    }
    return PlanRecord(series.user_id, RECURRING, series.id, body, series.version)


def get_series(*, plans: PlanStore, user_id: str, series_id: str) -> Series:
    return series_from_record(plans.get(user_id, RECURRING, known_id(series_id, "series")))
