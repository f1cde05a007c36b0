"""The receipt decoder of the local OCR engine's output, on made-up probability columns:
spaces the model only half-believes in, and the € and £ it has no letter for."""

from __future__ import annotations

from typing import Any

import numpy as np

from expense_tracker.adapters.common.ctc_decoder import ReceiptCtcDecoder

ALPHABET = ["blank", "A", "B", "1", ".", "2", "f", "∈", "·", " "]


def columns(*spec: str | tuple[str, str, float]) -> Any:
    """One column per item: a character that wins it (probability 0.9), or blank ("_")
    with another character's share beside it, e.g. ("_", " ", 0.05)."""
    rows = []
    for item in spec:
        column = np.full(len(ALPHABET), 0.001, dtype=np.float32)
        if isinstance(item, tuple):
            _, other, share = item
            column[0], column[ALPHABET.index(other)] = 0.9, share
        else:
            column[0 if item == "_" else ALPHABET.index(item)] = 0.9
        rows.append(column)
    return np.stack(rows)


def decode(*spec: str | tuple[str, str, float]) -> str:
    text: str = ReceiptCtcDecoder(ALPHABET)(columns(*spec)[np.newaxis])[0][0]
    return text


def test_a_gap_where_the_space_has_a_share_becomes_a_space() -> None:
    assert decode("A", "_", ("_", " ", 0.05), "_", "B") == "A B"


def test_no_space_is_written_beside_a_decimal_point() -> None:
    gap = ("_", " ", 0.05)
    assert decode("1", "2", "_", gap, ".", "_", gap, "2", "1") == "12.21"


def test_a_middle_dot_between_words_is_a_space() -> None:
    assert decode("A", "_", "·", "_", "B") == "A B"


def test_a_gap_without_the_space_stays_joined() -> None:
    assert decode("A", "_", "_", "B", "_", "B") == "ABB"


def test_repeated_columns_are_one_character_and_a_blank_separates_doubles() -> None:
    assert decode("A", "A", "_", "A", "B", "B") == "AAB"


def test_a_pound_ghost_before_an_amount_gives_it_its_sign() -> None:
    assert decode("_", ("_", "f", 0.02), "_", "1", "2", ".", "1", "_") == "£12.1"


def test_a_euro_ghost_after_an_amount_gives_it_its_sign() -> None:
    assert decode("1", ".", "2", "_", ("_", "∈", 0.03), "_") == "1.2 €"


def test_a_ghost_beside_a_word_changes_nothing() -> None:
    assert decode("_", ("_", "f", 0.2), "A", "B", "_", ("_", "∈", 0.2)) == "AB"


def test_a_faint_ghost_is_ignored() -> None:
    assert decode("_", ("_", "f", 0.002), "1", ".", "2") == "1.2"
