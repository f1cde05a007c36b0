"""The server's factory leaves what startup made out of the cyclic collector's walks: a full
collection over the whole heap stopped the event loop for 60-80 ms every second or two under
load (the adds' p99). Checked in a process of its own: freezing this one would keep the
suite's objects forever."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import gc
from expense_tracker.entrypoints.asgi import app
before = gc.get_freeze_count()
app()
print(before, gc.get_freeze_count(), len(gc.get_objects(generation=2)))
"""


def test_the_asgi_factory_freezes_the_heap_it_built(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={
            **os.environ,
            "EXPENSE_TRACKER_DATA_DIR": str(tmp_path),
            "EXPENSE_TRACKER_RATES_REFRESH": "false",
        },
    )
    before, frozen, still_collected = map(int, done.stdout.split())
    assert before == 0
    assert frozen > 50_000  # the framework, the routes, the models: well beyond a few objects
    assert still_collected < frozen / 100  # what a full collection still walks
