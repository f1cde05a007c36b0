"""How a scan is scored against the corpus's truth.

`merchant` is exact but for letter case (receipts print shop names in capitals); the
`merchant_letters` figure also forgives missing or extra spaces. `currency` gives the
extraction the receipt's own country's currency as the user's default (the usual case: a
receipt from home); `currency_unrelated` gives it an unrelated default, so only what is
printed (a sign, a code, or the sign's ghost in the OCR output) can make it right."""

from __future__ import annotations

from typing import Any

from expense_tracker.domain.receipt_fields import ReceiptFields, TextLine, extract

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
