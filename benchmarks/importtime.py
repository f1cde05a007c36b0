"""`python -X importtime` in a fresh interpreter: wall time, and where the import time goes."""

from __future__ import annotations

import resource
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
    "expense_tracker.entrypoints.http.app, expense_tracker.adapters.aws.wiring"
)


@dataclass(frozen=True)
class ImportProfile:
    wall: float  # median seconds for the whole `python -c ...` process
    cpu: float  # its median CPU time
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


def wall_time(code: str, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of `python -c code`: on a busy
    machine the CPU time is the steadier of the two."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def profile(code: str, runs: int = 5) -> ImportProfile:
    wall, cpu = wall_time(code, runs)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], check=True, capture_output=True, text=True
    )
    total, per_package, modules = parse(done.stderr)
    ranked = [(name, us / 1e6) for name, us in per_package.most_common()]
    return ImportProfile(wall=wall, cpu=cpu, total=total, by_package=ranked, modules=modules)
