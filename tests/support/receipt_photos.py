"""Small, clean receipt photos for tests that run real OCR (the benchmark's corpus is harder)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
SAMPLE = (
    "SAMPLE MARKET",
    "Date: 11/04/2026",
    "Coffee      3.50",
    "Bagel       2.75",
    "TOTAL EUR   6.25",
)


def receipt_photo(lines: tuple[str, ...] = SAMPLE, fmt: str = "JPEG") -> bytes:
    font = ImageFont.truetype(str(FONT), 26)
    height = 46 * (len(lines) + 2)
    paper = Image.new("RGB", (460, height), "white")
    draw = ImageDraw.Draw(paper)
    for index, text in enumerate(lines, start=1):
        draw.text((24, index * 46), text, fill="black", font=font)
    out = io.BytesIO()
    paper.save(out, fmt, quality=92)
    return out.getvalue()
