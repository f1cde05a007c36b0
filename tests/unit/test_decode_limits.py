"""Image decoding is bounded: a pixel limit suited to receipts, and a byte budget shared by
all decodes of the process, so parallel confirms of huge images cannot multiply the memory."""

from __future__ import annotations

import struct
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from expense_tracker.domain.errors import Invalid
from expense_tracker.services import receipt_images
from expense_tracker.services.receipt_images import DecodeBudget, clean_receipt


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares its size; Pillow reads the size without decoding anything."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    idat = zlib.compress(b"\x00" * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_png_over_40_megapixels_is_refused_before_decoding() -> None:
    with pytest.raises(Invalid) as refused:
        clean_receipt(png_header_only(8000, 6000), "image/png")  # 48 MP, under Pillow's 89
    assert "too many pixels" in refused.value.errors[0].message


def test_the_pixel_limit_suits_receipts() -> None:
    assert 30_000_000 <= receipt_images.MAX_RECEIPT_PIXELS <= 50_000_000


def test_decodes_past_the_budget_wait_for_each_other() -> None:
    budget = DecodeBudget(100)
    running, most = 0, 0
    lock = threading.Lock()
    proceed = threading.Event()

    def decode(_: int) -> None:
        nonlocal running, most
        with budget.hold(60):
            with lock:
                running += 1
                most = max(most, running)
            proceed.wait(0.2)
            with lock:
                running -= 1

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(decode, range(8)))
    assert most == 1


def test_small_decodes_share_the_budget() -> None:
    budget = DecodeBudget(100)
    inside = threading.Barrier(4, timeout=10)

    def decode(_: int) -> None:
        with budget.hold(25):
            inside.wait()  # all four hold their share at once, or this times out

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(decode, range(4)))
