"""WCAG contrast of colours as the browser computes them (`rgb(r, g, b)` / `rgba(...)`)."""

from __future__ import annotations

import re

NUMBER = re.compile(r"[\d.]+")


def rgb(css: str) -> tuple[float, float, float]:
    """`rgb(29, 78, 216)` -> (29, 78, 216); only opaque colours are compared here."""
    parts = [float(n) for n in NUMBER.findall(css)]
    if len(parts) == 4 and parts[3] < 1:
        raise ValueError(f"translucent colour {css!r}: compare its blend instead")
    return parts[0], parts[1], parts[2]


def luminance(css: str) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb(css))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
