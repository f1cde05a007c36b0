"""Currency signs the local recognition model misreads, put back from the layout."""

from __future__ import annotations

from dataclasses import replace

from ...domain.receipt_fields import TextLine


def currency_marks(lines: list[TextLine]) -> list[TextLine]:
    """A euro sign the detector boxed on its own is read as a lone "E" (or "C") just right
    of an amount: give it back its meaning."""
    amounts = [ln for ln in lines if ln.box and ln.text[-1:].isdigit()]
    return [
        replace(ln, text="€")
        if ln.text.strip() in {"E", "C"} and _after_amount(ln, amounts)
        else ln
        for ln in lines
    ]


def _after_amount(line: TextLine, amounts: list[TextLine]) -> bool:
    left, top, _, bottom = line.box or (0.0, 0.0, 0.0, 0.0)
    centre = (top + bottom) / 2
    return any(
        a.box and a.box[1] <= centre <= a.box[3] and 0 <= left - a.box[2] < (bottom - top) * 2
        for a in amounts
    )
