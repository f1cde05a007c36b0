"""One run of the scan benchmark in a fresh process (so its peak memory is the scans' own):

    python -m benchmarks.scan_probe COUNT BUDGET_SECONDS tesseract|rapidocr|defaults

reads the first COUNT receipts of the seeded corpus (stopping early when BUDGET_SECONDS have
gone by), and prints one JSON line: per receipt the fields scored, wall and CPU seconds (the
process's and its children's: Tesseract runs as a child process)."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from expense_tracker.adapters.common.rapidocr_reader import RapidOcrReader, box_line, load_engine
from expense_tracker.adapters.common.receipt_marks import currency_marks
from expense_tracker.domain.receipt_fields import TextLine, group_rows
from expense_tracker.services.scan_images import upright_jpeg

from .export_probe import peak_rss_kib
from .receipt_corpus import make_receipt
from .scan_scores import both

Read = Callable[[bytes], list[TextLine]]


def tesseract() -> Read:
    """The default local engine (tesseract_reader.py)."""
    from expense_tracker.adapters.common.tesseract_reader import TesseractReader

    reader = TesseractReader()
    return lambda jpeg: reader.read(jpeg, "image/jpeg").lines


def tuned() -> Read:
    """The optional engine as the app tunes it (rapidocr_reader.py)."""
    load_engine()
    reader = RapidOcrReader()
    return lambda jpeg: reader.read(jpeg, "image/jpeg").lines


def engine_defaults() -> Read:
    """The baseline: the same engine with its default settings and decoder (detection at
    least 736 px on the shorter side, the angle classifier, all cores), as before tuning."""
    import cv2
    import numpy as np
    from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]

    from expense_tracker.adapters.common.deskew import deskew

    engine = RapidOCR()

    def read(jpeg: bytes) -> list[TextLine]:
        pixels = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        found, _ = engine(deskew(pixels))
        return currency_marks([box_line(item) for item in found or []])

    return read


def measure(count: int, budget: float, mode: str) -> dict[str, Any]:
    started = time.perf_counter()
    read = {"tesseract": tesseract, "rapidocr": tuned, "defaults": engine_defaults}[mode]()
    receipts: list[dict[str, Any]] = []
    load_seconds = time.perf_counter() - started
    for index in range(count):
        if time.perf_counter() - started > budget:
            break
        photo, truth = make_receipt(index)
        wall, cpu = time.perf_counter(), _cpu()
        lines = group_rows(read(upright_jpeg(photo)))
        scores = both(lines, truth)
        receipts.append(
            {
                "index": index,
                "scores": scores,
                "seconds": time.perf_counter() - wall,
                "cpu_seconds": _cpu() - cpu,
            }
        )
    return {"mode": mode, "load_seconds": load_seconds, "receipts": receipts,
            "peak_rss_kib": peak_rss_kib()}  # fmt: skip


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> None:
    count, budget, mode = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    print(json.dumps(measure(count, budget, mode)))


if __name__ == "__main__":
    main()
