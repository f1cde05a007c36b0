"""Greedy CTC decoding for receipts: the engine's own, plus the spaces between words and the
currency signs the model has no letter for.

Spaces: the recognition model (PP-OCRv4) has a space in its alphabet but, trained mostly on
Chinese, rarely lets it win a column: "SUNSET DINER" comes out as "SUNSETDINER". In the blank
columns between two words, though, the space gets a small but clear share of the probability
(a few per cent) while inside a word it stays near zero: a space is written there.

Signs: "€" and "£" are not in its alphabet at all. Where one is printed beside an amount the
columns stay blank, and the model's best other guess there is a look-alike ("∈" or "E" for
the euro, "f" for the pound): an amount with such a ghost before it gets its "£", after it
its "€"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

BLANK = 0  # CTC's "no character" column
SPACE_SHARE = 0.01  # calibrated on the first half of the seeded corpus (0.005-0.05 all help)
GHOST_SHARE = 0.005
POUND_GHOSTS = frozenset("fF")  # printed before the amount
EURO_GHOSTS = frozenset("∈EeC")  # printed after it (before it, as in Ireland, reads as "E")
BARE_AMOUNT = re.compile(r"-?\d[\d.,' ]*")
NO_SPACE_BESIDE = frozenset(".,:'/-")  # "12 .50" would split an amount
READ_FOR_SPACE = frozenset("·")  # what the model sometimes writes between two words


def decode_row(
    best: Any,
    best_share: Any,
    space_share: Any,
    characters: Sequence[str],
    threshold: float = SPACE_SHARE,
) -> tuple[str, float]:
    """One text box, from its columns' best character (index into `characters`, whose last
    one is the space), that character's probability and the space's probability. The text
    and the mean probability of its characters (as the engine's own decoder gives it)."""
    space = len(characters) - 1
    text: list[str] = []
    scores: list[float] = []
    gap = 0.0  # the space's highest share in the blank columns since the last character
    previous = BLANK
    for column, index in enumerate(best.tolist()):
        if index == BLANK:
            gap = max(gap, float(space_share[column]))
        elif index != previous:
            if gap >= threshold and _spaceable(text, characters[index]) and index != space:
                text.append(" ")
            text.append(" " if characters[index] in READ_FOR_SPACE else characters[index])
            scores.append(float(best_share[column]))
            gap = 0.0
        previous = index
    return "".join(text).strip(), float(np.mean(scores)) if scores else 0.0


def _spaceable(text: list[str], following: str) -> bool:
    return bool(text) and text[-1] != " " and not {text[-1], following} & NO_SPACE_BESIDE


def ghost(columns: Any, characters: Sequence[str]) -> tuple[str, float]:
    """The best character, other than blank and space, of a run of blank columns."""
    if len(columns) == 0:
        return "", 0.0
    shares = columns.max(axis=0)
    shares[BLANK] = shares[len(characters) - 1] = 0.0
    index = int(shares.argmax())
    return characters[index], float(shares[index])


def with_signs(text: str, row: Any, best: Any, characters: Sequence[str]) -> str:
    """A bare amount with the sign whose ghost stands before or after it."""
    if not BARE_AMOUNT.fullmatch(text):
        return text
    written = np.nonzero(best)[0]
    before, before_share = ghost(row[: written[0]], characters)
    after, after_share = ghost(row[written[-1] + 1 :], characters)
    if before in POUND_GHOSTS and before_share >= GHOST_SHARE:
        return "£" + text
    if after in EURO_GHOSTS and after_share >= GHOST_SHARE:
        return text + " €"
    return text


class ReceiptCtcDecoder:
    """In place of the engine's decoder (its text recogniser calls `postprocess_op(preds,
    return_word_box, **kwargs)` once per batch, preds being (box, column, alphabet))."""

    def __init__(self, characters: Sequence[str]) -> None:
        self.character = list(characters)

    def __call__(self, preds: Any, return_word_box: bool = False, **_: Any) -> list[Any]:
        del return_word_box  # word boxes are not used here
        space = len(self.character) - 1
        decoded = []
        for row in preds:
            best = row.argmax(axis=1)
            text, score = decode_row(best, row.max(axis=1), row[:, space], self.character)
            decoded.append((with_signs(text, row, best, self.character), score))
        return decoded
