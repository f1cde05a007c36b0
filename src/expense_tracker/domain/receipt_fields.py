"""From what a receipt reader saw to the expense it describes: merchant, date, total,
currency and line items, each with a confidence in 0..1.

Both readers feed this: the local OCR gives boxes of text (grouped here into printed rows),
Textract gives rows too and, besides, typed summary fields (`hints`) that win when confident."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from .currencies import MINOR_UNITS
from .receipt_text import amounts_in, currencies_in, dates_in, money_like, tidy_ocr

Box = tuple[float, float, float, float]  # left, top, right, bottom (any unit, y grows down)


@dataclass(frozen=True)
class TextLine:
    text: str
    confidence: float  # 0..1
    box: Box | None = None  # None: the reader gave rows already in reading order


@dataclass(frozen=True)
class Hint:
    """A typed field a reader recognised itself (Textract's VENDOR_NAME, TOTAL...)."""

    text: str
    confidence: float


@dataclass(frozen=True)
class LineItem:
    description: str
    amount: Decimal


@dataclass(frozen=True)
class ReceiptFields:
    merchant: str | None
    date: date | None
    total: Decimal | None
    currency: str
    line_items: tuple[LineItem, ...]
    confidence: Mapping[str, float] = field(default_factory=dict)


# Lower case; checked as words. The order of TOTAL_WORDS is their strength.
STRONG_TOTAL: tuple[str, ...] = (
    "grand total",
    "amount due",
    "total due",
    "balance due",
    "to pay",
    "zu zahlen",
)
STRONG_TOTAL += ("total à payer", "total a payer", "net à payer", "importe total", "total eur")
TOTAL_WORDS: tuple[str, ...] = (
    "total",
    "summe",
    "gesamt",
    "totale",
    "montant",
    "betrag",
    "importe",
    "totaal",
)
TOTAL_WORDS += ("totalt", "summa", "att betala", "yhteensä", "razem", "suma")
NOT_TOTAL = re.compile(
    r"sub\s*-?\s*total|zwischensumme|sous-total|subtotal|\btax|\bvat\b|mwst|\btva\b|\biva\b|"
    r"change|cash|tendered|r[üu]ckgeld|rendu|wechselgeld|bar\b|\bcard|karte|carte|visa|"
    r"mastercard|saving|discount|rabatt|items?\b|articles?\b|artikel|qty|paid|gegeben|cambio|"
    r"esp[eè]ces|kontant|v[äa]xel|delsumma|moms|\bht\b|netto|\bnet\b",
    re.IGNORECASE,
)
FOOTER_DATE = re.compile(
    r"until|valid|expire|return|before|\bby\b|bis\b|jusqu|hasta|gültig|best", re.IGNORECASE
)
DATE_LABEL = re.compile(r"date|datum|fecha|data\b|\ble\b", re.IGNORECASE)
NOT_MERCHANT = re.compile(
    r"receipt|invoice|welcome|thank|tel\b|phone|www\.|http|@|vat|tax|no\.|#|"
    r"quittung|beleg|rechnung|kassenbon|ticket|reçu|facture|bienvenue|willkommen",
    re.IGNORECASE,
)


def group_rows(lines: Iterable[TextLine]) -> list[TextLine]:
    """Boxes on one printed row become one line, left to right, rows top to bottom. A box
    joins a row when its vertical centre lies within the row's first box."""
    boxed = sorted((ln for ln in lines if ln.box), key=lambda ln: _centre(ln))
    rows: list[list[TextLine]] = []
    for line in boxed:
        if rows and _same_row(rows[-1][0], line):
            rows[-1].append(line)
        else:
            rows.append([line])
    grouped = [_join(sorted(row, key=lambda ln: _box(ln)[0])) for row in rows]
    return grouped + [ln for ln in lines if not ln.box]


def _box(line: TextLine) -> Box:
    return line.box or (0.0, 0.0, 0.0, 0.0)


def _centre(line: TextLine) -> float:
    _, top, _, bottom = _box(line)
    return (top + bottom) / 2


def _same_row(first: TextLine, other: TextLine) -> bool:
    _, top, _, bottom = _box(first)
    slack = (bottom - top) * 0.2
    return top + slack <= _centre(other) <= bottom - slack


def _join(row: Sequence[TextLine]) -> TextLine:
    text = "  ".join(ln.text.strip() for ln in row)
    left = min(_box(ln)[0] for ln in row)
    top = min(_box(ln)[1] for ln in row)
    right = max(_box(ln)[2] for ln in row)
    bottom = max(_box(ln)[3] for ln in row)
    return TextLine(text, min(ln.confidence for ln in row), (left, top, right, bottom))


def extract(
    lines: Sequence[TextLine],
    *,
    default_currency: str,
    locale: str = "en",
    hints: Mapping[str, Hint] | None = None,
) -> ReceiptFields:
    """The expense a receipt describes. `lines` are rows in reading order (group_rows)."""
    hints = hints or {}
    lines = [replace(ln, text=tidy_ocr(unicodedata.normalize("NFKC", ln.text))) for ln in lines]
    currency, currency_confidence = _currency(lines, hints, default_currency)
    total, total_confidence = _total(lines, currency, hints)
    when, date_confidence = _date(lines, locale, hints)
    merchant, merchant_confidence = _merchant(lines, hints)
    return ReceiptFields(
        merchant=merchant,
        date=when,
        total=total,
        currency=currency,
        line_items=tuple(_line_items(lines, currency)),
        confidence={
            "merchant": merchant_confidence,
            "date": date_confidence,
            "total": total_confidence,
            "currency": currency_confidence,
        },
    )


def _currency(
    lines: Sequence[TextLine], hints: Mapping[str, Hint], default: str
) -> tuple[str, float]:
    counts: dict[str, int] = {}
    for line in lines:
        for code in currencies_in(line.text, default):
            counts[code] = counts.get(code, 0) + 1
    hint = hints.get("currency")
    if hint and hint.text in MINOR_UNITS and hint.confidence >= 0.5:
        counts[hint.text] = counts.get(hint.text, 0) + 2
    if not counts:
        return default, 0.5
    best = max(counts, key=lambda code: counts[code])
    share = counts[best] / sum(counts.values())
    return best, round(min(0.99, 0.6 + 0.4 * share), 2)


@dataclass(frozen=True)
class _Candidate:
    amount: Decimal
    strength: int  # 2 a strong total phrase, 1 a total word, 0 the largest amount
    confidence: float
    row: int


def _total(
    lines: Sequence[TextLine], currency: str, hints: Mapping[str, Hint]
) -> tuple[Decimal | None, float]:
    candidates = list(_total_candidates(lines, currency))
    hint = hints.get("total")
    hinted = amounts_in(hint.text, currency) if hint else []
    if hint and hinted and hinted[-1] > 0:
        return hinted[-1], round(hint.confidence, 2)
    if not candidates:
        return None, 0.0
    best = max(candidates, key=lambda c: (c.strength, c.amount, c.row))
    factor = {2: 1.0, 1: 0.95, 0: 0.4}[best.strength]
    return best.amount, round(best.confidence * factor, 2)


def _total_candidates(lines: Sequence[TextLine], currency: str) -> Iterable[_Candidate]:
    for index, line in enumerate(lines):
        lowered = line.text.lower()
        if NOT_TOTAL.search(lowered):
            continue
        strength = _total_strength(lowered)
        amounts = [a for a in amounts_in(line.text, currency) if a > 0]
        if not amounts and strength and index + 1 < len(lines):
            amounts = [a for a in amounts_in(lines[index + 1].text, currency) if a > 0]
        if amounts and (strength or money_like(line.text)):
            yield _Candidate(amounts[-1], strength, line.confidence, index)


def _total_strength(lowered: str) -> int:
    if any(phrase in lowered for phrase in STRONG_TOTAL):
        return 2
    words = re.findall(r"[a-zäöüéèà]+", lowered)
    return 1 if any(word in TOTAL_WORDS for word in words) else 0


def _date(
    lines: Sequence[TextLine], locale: str, hints: Mapping[str, Hint]
) -> tuple[date | None, float]:
    hint = hints.get("date")
    hinted = dates_in(hint.text, locale) if hint else []
    if hint and hinted:
        return hinted[0].value, round(hint.confidence * (0.7 if hinted[0].ambiguous else 1), 2)
    scored = []
    for index, line in enumerate(lines):
        for found in dates_in(line.text, locale):
            rank = 0 if FOOTER_DATE.search(line.text) else 2 if DATE_LABEL.search(line.text) else 1
            factor = (0.6 if found.ambiguous else 0.95) * (0.5 if rank == 0 else 1)
            scored.append((rank, -index, found.value, line.confidence * factor))
    if not scored:
        return None, 0.0
    _, _, value, confidence = max(scored)
    return value, round(confidence, 2)


def _merchant(lines: Sequence[TextLine], hints: Mapping[str, Hint]) -> tuple[str | None, float]:
    hint = hints.get("merchant")
    if hint and hint.text.strip():
        return _tidy(hint.text), round(hint.confidence, 2)
    for line in lines[:6]:
        text = _tidy(line.text)
        letters = sum(c.isalpha() for c in text)
        name_like = letters >= 3 and letters >= len(text.replace(" ", "")) * 0.6
        if name_like and not NOT_MERCHANT.search(text) and not dates_in(text, "en"):
            return text, round(line.confidence * 0.85, 2)
    return None, 0.0


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" *-=")[:64]


def _line_items(lines: Sequence[TextLine], currency: str) -> Iterable[LineItem]:
    """Rows with a description and a priced amount before the first (sub)total row."""
    for line in lines:
        lowered = line.text.lower()
        if _total_strength(lowered) or re.search(r"sub\s*-?\s*total|zwischensumme", lowered):
            return
        amounts = amounts_in(line.text, currency)
        description = _tidy(re.sub(r"[-$€£¥₹]?\s?[\d.,' ]+\s*[A-Z]{0,3}\s*$", "", line.text))
        priced = amounts and money_like(line.text) and sum(c.isalpha() for c in description) >= 2
        if priced and not NOT_TOTAL.search(lowered):
            yield LineItem(description, amounts[-1])
