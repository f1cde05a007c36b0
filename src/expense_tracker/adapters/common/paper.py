"""Flatten a phone photo of a receipt before OCR, with Pillow alone: find the bright paper's
four corners and warp it to an upright rectangle. A photo shows the receipt on a table, at an
angle and in perspective; cut to the paper and squared, the print reads as an OCR engine
expects. Geometry in floats on purpose: these are pixels, not money."""

from __future__ import annotations

import math

from PIL import Image, ImageFilter

WORK_SIDE = 600  # corners are found on a copy this size
MIN_PAPER_SHARE, MAX_PAPER_SHARE = 0.2, 0.97  # outside this the bright area is not the paper
MIN_FILL = 0.85  # a quadrilateral the bright pixels do not fill is not one sheet of paper

Point = tuple[float, float]


def flatten_paper(photo: Image.Image) -> Image.Image:
    """The photo in grey, warped to the paper when the paper stands out; else only grey."""
    grey = photo.convert("L")
    corners = paper_corners(grey)
    if corners is None:
        return grey
    try:
        return warp(grey, corners)
    except ValueError:  # three corners in a line: nothing to flatten
        return grey


def paper_corners(grey: Image.Image) -> list[Point] | None:
    """Top-left, top-right, bottom-right, bottom-left in `grey`'s pixels, or None."""
    scale = min(1.0, WORK_SIDE / max(grey.size))
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    small = grey.resize(size, Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(2))
    cut = otsu_threshold(small.histogram())
    # Erosion drops bright specks of the background that would pull a corner outwards.
    mask = small.point(lambda v: 255 if v > cut else 0).filter(ImageFilter.MinFilter(5))
    ends = row_ends(mask)
    if not ends:
        return None
    corners = [
        min(ends, key=lambda p: p[0] + p[1]),
        min(ends, key=lambda p: p[1] - p[0]),
        max(ends, key=lambda p: p[0] + p[1]),
        max(ends, key=lambda p: p[1] - p[0]),
    ]
    area = polygon_area(corners)
    bright = mask.histogram()[255]
    if not MIN_PAPER_SHARE <= area / (size[0] * size[1]) <= MAX_PAPER_SHARE:
        return None
    if area <= 0 or bright / area < MIN_FILL:
        return None
    return [(x / scale, y / scale) for x, y in corners]


def otsu_threshold(histogram: list[int]) -> int:
    """The grey level that best splits the histogram into dark and bright (Otsu's method)."""
    total = sum(histogram)
    grand = sum(level * count for level, count in enumerate(histogram))
    below = weighted = 0.0
    best, best_variance = 0, -1.0
    for level, count in enumerate(histogram):
        below += count
        if below == 0 or below == total:
            continue
        weighted += level * count
        dark_mean = weighted / below
        bright_mean = (grand - weighted) / (total - below)
        variance = below * (total - below) * (dark_mean - bright_mean) ** 2
        if variance > best_variance:
            best, best_variance = level, variance
    return best


def row_ends(mask: Image.Image) -> list[Point]:
    """The leftmost and rightmost bright pixel of every row: the paper's outline."""
    ends: list[Point] = []
    for y in range(mask.height):
        box = mask.crop((0, y, mask.width, y + 1)).getbbox()
        if box:
            ends += [(float(box[0]), float(y)), (float(box[2] - 1), float(y))]
    return ends


def polygon_area(points: list[Point]) -> float:
    pairs = zip(points, points[1:] + points[:1], strict=True)
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairs)) / 2


def warp(grey: Image.Image, corners: list[Point]) -> Image.Image:
    top_left, top_right, bottom_right, bottom_left = corners
    width = round(max(math.dist(top_left, top_right), math.dist(bottom_left, bottom_right)))
    height = round(max(math.dist(top_left, bottom_left), math.dist(top_right, bottom_right)))
    target = [(0.0, 0.0), (width - 1.0, 0.0), (width - 1.0, height - 1.0), (0.0, height - 1.0)]
    coefficients = perspective_coefficients(target, corners)
    return grey.transform(
        (width, height),
        Image.Transform.PERSPECTIVE,
        coefficients,
        Image.Resampling.BICUBIC,
        fillcolor=255,
    )


def perspective_coefficients(target: list[Point], source: list[Point]) -> tuple[float, ...]:
    """Pillow's eight PERSPECTIVE numbers mapping each `target` pixel back into `source`:
    x = (a·u + b·v + c) / (g·u + h·v + 1), y = (d·u + e·v + f) / (g·u + h·v + 1)."""
    rows: list[list[float]] = []
    for (u, v), (x, y) in zip(target, source, strict=True):
        rows.append([u, v, 1.0, 0.0, 0.0, 0.0, -u * x, -v * x, x])
        rows.append([0.0, 0.0, 0.0, u, v, 1.0, -u * y, -v * y, y])
    return tuple(solve(rows))


def solve(augmented: list[list[float]]) -> list[float]:
    """Gauss-Jordan elimination with partial pivoting on an n×(n+1) augmented matrix."""
    n = len(augmented)
    for column in range(n):
        pivot = max(range(column, n), key=lambda r: abs(augmented[r][column]))
        if abs(augmented[pivot][column]) < 1e-12:
            raise ValueError("the corners do not span a quadrilateral")
        augmented[column], augmented[pivot] = augmented[pivot], augmented[column]
        lead = augmented[column][column]
        augmented[column] = [value / lead for value in augmented[column]]
        for row in range(n):
            if row != column and augmented[row][column]:
                factor = augmented[row][column]
                augmented[row] = [
                    a - factor * b for a, b in zip(augmented[row], augmented[column], strict=True)
                ]
    return [augmented[row][n] for row in range(n)]
