"""The local server's jobs worker process (`python -m expense_tracker.entrypoints.job_worker`),
started and supervised by the server (adapters/local/job_process.py), never by hand: its
Settings come pickled on its standard input, then one byte per queued job, until end of file."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

NICENESS = 10  # requests first on a small machine; the worker takes what is left


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)  # the finally blocks stop the worker after the step in hand


_stopped_early: list[int] = []


def _note_stop(signum: int, _frame: FrameType | None) -> None:
    # During the imports, an exception raised into a native extension's import (pydantic-core)
    # aborts the process with a panic: note it, and stop once they are done.
    _stopped_early.append(signum)


def main() -> None:
    # First, before the app's imports (a second of CPU): Ctrl+C in a terminal reaches the
    # whole process group, and the server stops this process itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _note_stop)
    os.nice(NICENESS)
    import logging

    from ..adapters.local.job_process import read_settings, run_worker
    from ..bootstrap import build_container

    if _stopped_early:
        return
    signal.signal(signal.SIGTERM, _stop)

    logging.basicConfig(level=logging.INFO, format="jobs-worker %(levelname)s %(message)s")
    stream = sys.stdin.buffer
    settings = read_settings(stream)  # type: ignore[arg-type]
    container = build_container(settings)
    try:
        run_worker(container, stream)  # type: ignore[arg-type]
    finally:
        container.close()


if __name__ == "__main__":
    main()
