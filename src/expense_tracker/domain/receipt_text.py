"""Reading printed receipt text: amounts in each locale's notation, dates in many formats,
and currency marks. Pure Python; receipt_fields.py decides which of them is the total."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from .currencies import MINOR_UNITS

# A number as receipts print it: 1,234.56  1.234,56  1 234,56  1'234.56  12,50  1234
_NUMBER = r"\d{1,3}(?:[ ,.'\u00a0\u202f]\d{3})+(?:[.,]\d{1,3})?|\d+(?:[.,]\d{1,3})?"
AMOUNT = re.compile(rf"(?<![\d.,/:-])(-)?\s?(?:[$€£¥₹₩]\s?)?({_NUMBER})(?![\d/:%]|[.,]\d)")
THOUSANDS_ONLY = re.compile(r"[ '\u00a0\u202f]")

# Symbols that name one currency; "$" and "kr" name several (the user's default breaks the tie).
SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "zł": "PLN", "R$": "BRL"}
DOLLARS = ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN")
KRONER = ("SEK", "NOK", "DKK")
_CODE = re.compile(r"(?<![A-Z])(" + "|".join(sorted(MINOR_UNITS)) + r")(?![A-Z])")
_MARK = re.compile(r"R\$|US\$|zł|[€£¥₹₩$]|(?<![A-Za-z])kr\b|\bFr\.", re.IGNORECASE)
# OCR often glues a code to the word before it ("TOTALCHF"): a code that ends a total word.
_GLUED_CODE = re.compile(r"(?:TOTALT?|SUMME|SUMMA|BETRAG)(" + "|".join(sorted(MINOR_UNITS)) + ")")

MONTHS = {
    **dict.fromkeys(("jan", "january", "januar", "janvier", "enero", "ene", "gennaio", "janv"), 1),
    **dict.fromkeys(("feb", "february", "februar", "février", "fevrier", "febrero", "févr"), 2),
    **dict.fromkeys(("mar", "march", "märz", "marz", "mars", "marzo", "mär"), 3),
    **dict.fromkeys(("apr", "april", "avril", "abril", "aprile", "avr"), 4),
    **dict.fromkeys(("may", "mai", "mayo", "maggio"), 5),
    **dict.fromkeys(("jun", "june", "juni", "juin", "junio", "giugno"), 6),
    **dict.fromkeys(("jul", "july", "juli", "juillet", "julio", "luglio", "juil"), 7),
    **dict.fromkeys(("aug", "august", "août", "aout", "agosto"), 8),
    **dict.fromkeys(("sep", "sept", "september", "septembre", "septiembre", "settembre"), 9),
    **dict.fromkeys(("oct", "october", "oktober", "okt", "octobre", "octubre", "ottobre"), 10),
    **dict.fromkeys(("nov", "november", "novembre", "noviembre"), 11),
    **dict.fromkeys(
        ("dec", "december", "dezember", "dez", "décembre", "decembre", "diciembre"), 12
    ),
}
_MONTH = r"([A-Za-zéèäû0][A-Za-zéèäû]{2,8})\.?"  # OCR may read the O of "Oct" as 0
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?!\d)")
_DAY_MONTH_NAME = re.compile(rf"(?<!\d)(\d{{1,2}})\.?\s*{_MONTH}\s*,?\s*(\d{{4}}|\d{{2}})(?!\d)")
_MONTH_NAME_DAY = re.compile(rf"{_MONTH}\s*(\d{{1,2}})(?:st|nd|rd|th)?,?\s*(\d{{4}})(?!\d)")
# Territories that write the month first (03/04/2026 is March 4th there).
MONTH_FIRST_TERRITORIES = frozenset({"US", "PH", "CA", "FM", "MH", "PW", "GU", "AS", "PR"})


def month_first(locale: str) -> bool:
    """Whether this BCP 47 locale writes numeric dates month first; bare `en` is US usage."""
    parts = locale.replace("_", "-").split("-")
    territories = [p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()]
    language = parts[0].lower()
    if territories:  # French-speaking Canada writes the day first
        return territories[0] in MONTH_FIRST_TERRITORIES and (language, territories[0]) != (
            "fr",
            "CA",
        )
    return language == "en"


# OCR reads a faint decimal point as a colon: "$105:92" is an amount (a time has no sign).
_SIGNED_COLON = re.compile(r"([$€£¥₹₩]\s?\d+):(\d{2})(?![\d:])")


def tidy_ocr(text: str) -> str:
    return _SIGNED_COLON.sub(r"\1.\2", text)


def to_decimal(number: str, currency: str | None = None) -> Decimal | None:
    """A printed number as an exact Decimal. With both '.' and ',' the last one is the
    decimal mark; a lone mark before exactly three digits groups thousands, unless the
    currency has three minor digits (KWD 1.250)."""
    text = THOUSANDS_ONLY.sub("", number)
    marks = [c for c in text if c in ".,"]
    if not marks:
        return _decimal(text)
    last = marks[-1]
    head, _, tail = text.rpartition(last)
    three_digits = MINOR_UNITS.get(currency or "", 2) == 3
    grouped = len(marks) > 1 and len(set(marks)) == 1
    if grouped or (len(tail) == 3 and not three_digits):
        return _decimal(text.replace(last, ""))
    return _decimal(head.replace("," if last == "." else ".", "") + "." + tail)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def amounts_in(text: str, currency: str | None = None) -> list[Decimal]:
    """Every amount printed in a line, left to right (negative ones for refunds)."""
    found = []
    for match in AMOUNT.finditer(text):
        value = to_decimal(match.group(2), currency)
        if value is not None:
            found.append(-value if match.group(1) else value)
    return found


def money_like(text: str) -> bool:
    """Has a decimal amount (two or three decimals), not just a quantity or an item code."""
    return bool(re.search(r"\d[.,]\d{2,3}(?!\d)", text))


def currencies_in(text: str, default: str) -> list[str]:
    """The currencies a line names by ISO code or symbol."""
    found = [code for code in _CODE.findall(text) if code not in {"ALL", "TOP", "CUP", "MOP"}]
    found += _GLUED_CODE.findall(text.upper())
    for mark in _MARK.findall(text):
        found.append(_symbol_currency(mark, default))
    return found


def _symbol_currency(mark: str, default: str) -> str:
    upper = mark.upper()
    if upper == "US$":
        return "USD"
    if upper in {"FR.", "CHF"}:
        return "CHF"
    if upper == "KR":
        return default if default in KRONER else "SEK"
    if mark == "$":
        return default if default in DOLLARS else "USD"
    return SYMBOLS.get(mark, SYMBOLS.get(mark.lower(), default))


@dataclass(frozen=True)
class FoundDate:
    value: date
    ambiguous: bool  # day and month could be swapped; the locale chose


def dates_in(text: str, locale: str) -> list[FoundDate]:
    found = [d for m in _NUMERIC_DATE.finditer(text) if (d := _numeric(m, locale))]
    for match in _DAY_MONTH_NAME.finditer(text):
        found += _named(match.group(3), match.group(2), match.group(1))
    for match in _MONTH_NAME_DAY.finditer(text):
        found += _named(match.group(3), match.group(1), match.group(2))
    return found


def _numeric(match: re.Match[str], locale: str) -> FoundDate | None:
    first, _, second, third = match.groups()
    if len(first) == 4:  # 2026-11-24, 2026/11/24
        return _make(int(first), int(second), int(third), ambiguous=False)
    year = _year(third)
    a, b = int(first), int(second)
    if match.group(2) == "." or a > 12 or b > 12 or a == b:  # 24.11.2026 is always day first
        day, month = (b, a) if b > 12 else (a, b)
        return _make(year, month, day, ambiguous=False)
    month, day = (a, b) if month_first(locale) else (b, a)
    return _make(year, month, day, ambiguous=True)


def _named(year_text: str, month_text: str, day_text: str) -> list[FoundDate]:
    month = MONTHS.get(month_text.lower().replace("0", "o", 1))
    if month is None:
        return []
    made = _make(_year(year_text), month, int(day_text), ambiguous=False)
    return [made] if made else []


def _year(text: str) -> int:
    return int(text) if len(text) == 4 else 2000 + int(text)


def _make(year: int, month: int, day: int, *, ambiguous: bool) -> FoundDate | None:
    if not 1990 <= year <= 2100:
        return None
    try:
        return FoundDate(date(year, month, day), ambiguous)
    except ValueError:
        return None
