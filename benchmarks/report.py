"""The report: sections of Markdown, and the number formats they share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Section:
    title: str
    blocks: list[str] = field(default_factory=list)  # Markdown paragraphs and tables
    data: dict[str, Any] = field(default_factory=dict)  # the raw figures (for tests, debugging)
    headlines: list[str] = field(default_factory=list)  # one line each, for the report's top

    def add(self, *blocks: str) -> None:
        self.blocks.extend(blocks)

    def markdown(self) -> str:
        return "\n\n".join([f"## {self.title}", *self.blocks])


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def ms(seconds: float) -> str:
    """Milliseconds with sensible digits: 0.042 ms, 4.2 ms, 420 ms."""
    value = seconds * 1000
    if value < 1:
        return f"{value:.3f} ms"
    if value < 100:
        return f"{value:.1f} ms"
    return f"{value:,.0f} ms"


def count(value: float) -> str:
    return f"{value:,.0f}"


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}×" if baseline else "n/a"


def mib(nbytes: float) -> str:
    return f"{nbytes / 2**20:,.1f} MiB"


def kib(nbytes: float) -> str:
    return f"{nbytes / 1024:,.1f} KiB"
