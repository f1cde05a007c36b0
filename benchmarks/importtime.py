"""`python -X importtime` in a fresh interpreter: wall time, and where the import time goes."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass

HANDLER = "import expense_tracker.entrypoints.lambda_handler"
# What the first invocation imports on top (make_handler): the app, Mangum, the AWS adapters.
FIRST_CALL = (
    "import expense_tracker.entrypoints.lambda_handler, mangum, "
    "expense_tracker.entrypoints.http.app, expense_tracker.adapters.aws_wiring"
)


@dataclass(frozen=True)
class ImportProfile:
    wall: float  # median seconds for the whole `python -c ...` process
    total: float  # seconds of import time, the sum of every module's own ("self") time
    by_package: list[tuple[str, float]]  # top-level package -> seconds, largest first
    modules: int


def parse(stderr: str) -> tuple[float, Counter[str], int]:
    """Lines are `import time: self [us] | cumulative | name`, the name indented by depth."""
    per_package: Counter[str] = Counter()
    modules = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        self_us, _cumulative, name = line[len("import time:") :].split("|")
        per_package[name.strip().split(".")[0]] += int(self_us)
        modules += 1
    return sum(per_package.values()) / 1e6, per_package, modules


def wall_time(code: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def profile(code: str, runs: int = 5) -> ImportProfile:
    wall = wall_time(code, runs)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], check=True, capture_output=True, text=True
    )
    total, per_package, modules = parse(done.stderr)
    ranked = [(name, us / 1e6) for name, us in per_package.most_common()]
    return ImportProfile(wall=wall, total=total, by_package=ranked, modules=modules)
