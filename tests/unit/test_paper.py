"""Flattening a receipt photo with Pillow alone: the paper's corners are found on a darker
table and the paper is warped back to an upright rectangle."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from expense_tracker.adapters.common.paper import (
    flatten_paper,
    otsu_threshold,
    paper_corners,
    perspective_coefficients,
)

CORNERS = [(120.0, 60.0), (420.0, 90.0), (400.0, 560.0), (90.0, 520.0)]


def photo_of_paper() -> Image.Image:
    table = Image.new("RGB", (520, 640), (70, 60, 50))
    draw = ImageDraw.Draw(table)
    draw.polygon(CORNERS, fill=(245, 245, 240))
    for row in range(8):  # print on the paper must not move its corners
        y = 140 + row * 40
        draw.line([(150, y), (360, y + 8)], fill=(20, 20, 20), width=3)
    return table


def test_the_papers_corners_are_found_on_a_darker_table() -> None:
    found = paper_corners(photo_of_paper().convert("L"))
    assert found is not None
    for (x, y), (want_x, want_y) in zip(found, CORNERS, strict=True):
        assert abs(x - want_x) <= 8 and abs(y - want_y) <= 8


def test_the_flattened_paper_is_an_upright_rectangle_of_its_own_size() -> None:
    flat = flatten_paper(photo_of_paper())
    assert flat.mode == "L"
    assert abs(flat.width - 310) <= 12 and abs(flat.height - 472) <= 12
    # Nothing of the table is left inside: the corners are paper-bright.
    inset = 6
    for x, y in [(inset, inset), (flat.width - inset, inset), (inset, flat.height - inset)]:
        pixel = flat.getpixel((x, y))
        assert isinstance(pixel, int) and pixel > 200


def test_a_photo_without_a_paper_shape_is_only_turned_grey() -> None:
    plain = Image.new("RGB", (300, 200), (200, 200, 200))
    flat = flatten_paper(plain)
    assert flat.size == plain.size and flat.mode == "L"


def test_a_page_filling_the_whole_photo_is_left_as_it_is() -> None:
    page = Image.new("L", (300, 400), 250)
    ImageDraw.Draw(page).rectangle((40, 40, 260, 60), fill=0)
    assert paper_corners(page) is None


def test_the_perspective_maps_each_target_corner_onto_its_source_corner() -> None:
    target = [(0.0, 0.0), (299.0, 0.0), (299.0, 399.0), (0.0, 399.0)]
    a, b, c, d, e, f, g, h = perspective_coefficients(target, CORNERS)
    for (u, v), (x, y) in zip(target, CORNERS, strict=True):
        w = g * u + h * v + 1
        assert (a * u + b * v + c) / w == pytest.approx(x, abs=1e-6)
        assert (d * u + e * v + f) / w == pytest.approx(y, abs=1e-6)


def test_otsus_threshold_falls_between_the_two_modes() -> None:
    histogram = [0] * 256
    histogram[40], histogram[45], histogram[210], histogram[220] = 500, 300, 900, 100
    assert 45 <= otsu_threshold(histogram) < 210
