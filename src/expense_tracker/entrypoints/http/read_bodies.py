"""Bodies shared by the routes and the fast lane (fast_reads.py), kept out of the route
modules so the lane loads no route (on Lambda, routes are built on first use)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from ... import __version__
from ...domain.expense import ExpenseFilter
from ...domain.money import format_amount
from ...services.summary import FullSummary

# HealthOut's JSON (schemas.py), made without pydantic: the Lambda lane loads none (a test
# pins the two equal).
HEALTH_BODY = json.dumps({"status": "ok", "version": __version__}, separators=(",", ":")).encode()


def expense_filter(
    date_from: date | None, date_to: date | None, category: str | None, q: str | None
) -> ExpenseFilter:
    return ExpenseFilter(
        date_from=date_from,
        date_to=date_to,
        category=" ".join(category.split()) if category else None,
        text=q.strip() or None if q else None,
    )


def _home(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else format_amount(amount, currency)


def summary_body(full: FullSummary) -> dict[str, Any]:
    """SummaryOut's shape (by alias), built from the already valid domain summary."""
    s, home = full.summary, full.home
    return {
        "from": s.date_from.isoformat() if s.date_from else None,
        "to": s.date_to.isoformat() if s.date_to else None,
        "totals": [
            {
                "currency": t.currency,
                "amount": format_amount(t.amount, t.currency),
                "count": t.count,
            }
            for t in s.totals
        ],
        "by_category": [
            {
                "category": t.category,
                "currency": t.currency,
                "amount": format_amount(t.amount, t.currency),
                "count": t.count,
                "home_amount": _home(home.by_category.get((t.category, t.currency)), home.currency),
            }
            for t in s.by_category
        ],
        "by_month": [
            {
                "month": t.month,
                "currency": t.currency,
                "amount": format_amount(t.amount, t.currency),
                "count": t.count,
                "home_amount": _home(home.by_month.get((t.month, t.currency)), home.currency),
            }
            for t in s.by_month
        ],
        "home": {
            "currency": home.currency,
            "amount": format_amount(home.amount, home.currency),
            "missing": [{"currency": m.currency, "count": m.count} for m in home.missing],
        },
    }
