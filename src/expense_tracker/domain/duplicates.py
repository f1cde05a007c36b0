"""Possible duplicate expenses: same amount and currency within a day, similar description."""

from __future__ import annotations

from difflib import SequenceMatcher

from .expense import Expense

SIMILAR = 0.8  # difflib ratio of the folded descriptions; "Coffee" vs "coffee." is 0.92
WINDOW_DAYS = 1


def similar(a: str, b: str) -> bool:
    left, right = " ".join(a.casefold().split()), " ".join(b.casefold().split())
    return SequenceMatcher(None, left, right).ratio() >= SIMILAR


def is_possible_duplicate(new: Expense, other: Expense) -> bool:
    return (
        other.id != new.id
        and other.amount == new.amount
        and other.currency == new.currency
        and abs((other.date - new.date).days) <= WINDOW_DAYS
        and similar(new.description, other.description)
    )
