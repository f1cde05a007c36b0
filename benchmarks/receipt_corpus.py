"""A seeded corpus of receipt photos with their ground truth, rendered with Pillow.

    python -m benchmarks.receipt_corpus --out /tmp/receipts --count 120

Each receipt varies its shop, layout, font (Debian's DejaVu and Liberation fonts), currency
and how it is printed, date format, number format (1,234.56 / 1.234,56 / 1 234,56 / 1'234.50),
then is photographed: thermal-print fading and specks, blur, a turn up to 10 degrees, a
perspective tilt, on a darker table, as a JPEG. Subtotals, tax, cash and change lines and a
return-by date in the footer are the traps. `make_receipt(i, seed)` gives one in memory."""

from __future__ import annotations

import argparse
import io
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")
FONT_FILES = (
    "DejaVuSansMono.ttf", "DejaVuSans.ttf", "DejaVuSansCondensed.ttf", "DejaVuSerif.ttf",
    "LiberationMono-Regular.ttf", "LiberationSans-Regular.ttf", "DejaVuSansMono-Bold.ttf",
)  # fmt: skip
SHOPS = (
    "Corner Grocer", "Green Leaf Market", "Bella Pizzeria", "Hardware Depot", "Book Nook",
    "Blue Door Cafe", "City Pharmacy", "Fresh Bakery", "Metro Electronics", "Sunset Diner",
    "Alpen Markt", "Boulangerie Paul", "Nordic Deli", "Tokyo Ramen", "Garden Center",
)  # fmt: skip
ITEMS = (
    "Milk", "Bread", "Coffee beans", "Apples", "Cheese", "Pasta", "Tomatoes", "Olive oil",
    "Batteries", "Notebook", "Shampoo", "Chocolate", "Orange juice", "Eggs", "Rice",
    "Light bulb", "Screws", "Paper towels", "Yogurt", "Tea",
)  # fmt: skip


@dataclass(frozen=True)
class Style:
    """How a country prints: currency, numbers, dates, words."""

    locale: str
    currency: str
    decimal: str
    group: str
    date_formats: tuple[str, ...]
    words: tuple[str, str, str, str, str]  # subtotal, tax, total, cash, change
    mark: tuple[str, str]  # prefix, suffix around amounts ("$", "") or ("", " EUR")


STYLES = (
    Style("en-US", "USD", ".", ",", ("%m/%d/%Y", "%b %d, %Y", "%m/%d/%y"),
          ("SUBTOTAL", "TAX", "TOTAL", "CASH", "CHANGE"), ("$", "")),
    Style("en-GB", "GBP", ".", ",", ("%d/%m/%Y", "%d %b %Y"),
          ("SUBTOTAL", "VAT 20%", "TOTAL", "CASH", "CHANGE"), ("£", "")),
    Style("de-DE", "EUR", ",", ".", ("%d.%m.%Y", "%d.%m.%y"),
          ("ZWISCHENSUMME", "MwSt 19%", "SUMME", "BAR", "RÜCKGELD"), ("", " EUR")),
    Style("fr-FR", "EUR", ",", " ", ("%d/%m/%Y", "%Y-%m-%d"),
          ("SOUS-TOTAL", "TVA 20%", "TOTAL TTC", "ESPECES", "RENDU"), ("", " €")),
    Style("de-CH", "CHF", ".", "'", ("%d.%m.%Y",),
          ("ZWISCHENSUMME", "MwSt 8.1%", "TOTAL CHF", "BAR", "RÜCKGELD"), ("", "")),
    Style("ja-JP", "JPY", "", ",", ("%Y-%m-%d", "%Y/%m/%d"),
          ("SUBTOTAL", "TAX 10%", "TOTAL", "CASH", "CHANGE"), ("¥", "")),
    Style("sv-SE", "SEK", ",", " ", ("%Y-%m-%d",),
          ("DELSUMMA", "MOMS 25%", "TOTALT SEK", "KONTANT", "VÄXEL"), ("", " kr")),
)  # fmt: skip


def money_text(amount: Decimal, style: Style) -> str:
    whole, _, cents = f"{amount:.2f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", style.group)
    number = grouped if style.currency == "JPY" else f"{grouped}{style.decimal}{cents}"
    return f"{style.mark[0]}{number}{style.mark[1]}"


def _price(rng: random.Random, style: Style) -> Decimal:
    if style.currency == "JPY":
        return Decimal(rng.randrange(100, 3000, 10))
    return Decimal(rng.randrange(99, 4999 if rng.random() < 0.9 else 250000)) / 100


def receipt_rows(rng: random.Random, style: Style) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """(left, right) text rows and the truth."""
    shop, day = rng.choice(SHOPS), date(2026, 1, 1) + timedelta(days=rng.randrange(330))
    items = [(rng.choice(ITEMS), _price(rng, style)) for _ in range(rng.randint(1, 6))]
    subtotal = sum((p for _, p in items), Decimal(0))
    exp = Decimal(1) if style.currency == "JPY" else Decimal("0.01")
    tax = (subtotal * Decimal("0.08")).quantize(exp)
    total = subtotal + tax
    subtotal_word, tax_word, total_word, cash_word, change_word = style.words
    rows = [
        (shop.upper() if rng.random() < 0.6 else shop, ""),
        (f"{rng.randint(1, 999)} Main Street", ""),
    ]
    rows += [
        (
            f"Date: {day.strftime(rng.choice(style.date_formats))}",
            f"{rng.randint(8, 21)}:{rng.randint(10, 59)}",
        )
    ]
    rows += [("", "")] + [(name, money_text(p, style)) for name, p in items] + [("", "")]
    rows += [(subtotal_word, money_text(subtotal, style)), (tax_word, money_text(tax, style))]
    rows += [(total_word, money_text(total, style))]
    if rng.random() < 0.5:
        cash = (total // 10 + 1) * 10
        rows += [
            (cash_word, money_text(cash, style)),
            (change_word, money_text(cash - total, style)),
        ]
    if rng.random() < 0.4:
        until = (day + timedelta(days=30)).strftime(style.date_formats[0])
        rows += [("", ""), (f"Returns until {until}", "")]
    rows += [("THANK YOU", "")]
    truth = {"merchant": shop, "date": day.isoformat(), "total": str(total.quantize(exp)),
             "currency": style.currency, "locale": style.locale,
             "line_items": [{"description": n, "amount": str(p)} for n, p in items]}  # fmt: skip
    return rows, truth


def _font(rng: random.Random, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = rng.choice(FONT_FILES)
    for folder in FONT_DIRS:
        if Path(folder, name).exists():
            return ImageFont.truetype(str(Path(folder, name)), size)
    return ImageFont.load_default(size)


def render(rows: list[tuple[str, str]], rng: random.Random) -> Image.Image:
    size = rng.randint(20, 26)
    font = _font(rng, size)
    width, line = rng.randint(440, 560), int(size * 1.45)
    paper = Image.new("L", (width, line * (len(rows) + 2)), rng.randint(225, 250))
    draw = ImageDraw.Draw(paper)
    for index, (left, right) in enumerate(rows, start=1):
        ink = rng.randint(0, 70)  # thermal print fades from row to row
        draw.text((20, index * line), left, fill=ink, font=font)
        if right:
            draw.text((width - 20, index * line), right, fill=ink, font=font, anchor="ra")
    for _ in range(rng.randint(50, 400)):  # specks
        x, y = rng.randrange(width), rng.randrange(paper.height)
        draw.point((x, y), fill=rng.randint(60, 160))
    return paper.filter(ImageFilter.GaussianBlur(rng.uniform(0, 1.0)))


def photograph(paper: Image.Image, rng: random.Random) -> Image.Image:
    """On a table, turned up to 10 degrees, sometimes seen at a slant."""
    margin = 80
    table = Image.new(
        "L", (paper.width + 2 * margin, paper.height + 2 * margin), rng.randint(40, 110)
    )
    table.paste(paper, (margin, margin))
    background = table.getpixel((0, 0))
    turned = table.rotate(
        rng.uniform(-10, 10), resample=Image.Resampling.BICUBIC, expand=True, fillcolor=background
    )
    if rng.random() < 0.4:
        w, h = turned.size
        coeffs = _perspective(w, h, rng.uniform(0.02, 0.06), rng.choice((-1, 1)))
        turned = turned.transform(
            (w, h),
            Image.Transform.PERSPECTIVE,
            coeffs,
            Image.Resampling.BICUBIC,
            fillcolor=background,
        )
    return turned.convert("RGB")


def _perspective(w: int, h: int, d: float, side: int) -> list[float]:
    """Coefficients that pull the top (or bottom) corners in by d of the width."""
    import numpy as np

    dx = w * d
    source = (
        [(dx, 0), (w - dx, 0), (w, h), (0, h)]
        if side > 0
        else [(0, 0), (w, 0), (w - dx, h), (dx, h)]
    )
    target = [(0, 0), (w, 0), (w, h), (0, h)]
    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    solution = np.linalg.solve(
        np.array(rows, float), np.array([c for p in source for c in p], float)
    )
    return [float(c) for c in solution]


def _start(index: int, seed: int) -> tuple[random.Random, Style]:
    return random.Random(seed * 100_003 + index), STYLES[index % len(STYLES)]


def receipt_text(index: int, seed: int = 2026) -> list[str]:
    """The printed rows of receipt `index`, as a perfect reader would give them."""
    rng, style = _start(index, seed)
    rows, _ = receipt_rows(rng, style)
    return [f"{left}  {right}".strip() for left, right in rows if left or right]


def receipt_truth(index: int, seed: int = 2026) -> dict[str, Any]:
    """What receipt `index` says, without rendering its photo."""
    rng, style = _start(index, seed)
    return receipt_rows(rng, style)[1]


def make_receipt(index: int, seed: int = 2026) -> tuple[bytes, dict[str, Any]]:
    rng, style = _start(index, seed)
    rows, truth = receipt_rows(rng, style)
    photo = photograph(render(rows, rng), rng)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=rng.randint(70, 92))
    return out.getvalue(), truth


def write_corpus(folder: Path, count: int, seed: int = 2026) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(count):
        data, truth = make_receipt(index, seed)
        image = folder / f"receipt-{index:03d}.jpg"
        image.write_bytes(data)
        image.with_suffix(".json").write_text(json.dumps(truth, indent=2))
        written.append(image)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(f"{len(write_corpus(args.out, args.count, args.seed))} receipts in {args.out}")


if __name__ == "__main__":
    main()
