"""`python -X importtime` in a fresh interpreter: wall time, and where the import time goes."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

HANDLER = "import expense_tracker.entrypoints.lambda_handler"
# What a cold start's init and first plain read import (lambda_handler.lane): the lane, its
# wiring, the services it reads with.
FIRST_CALL = (
    "import expense_tracker.entrypoints.lambda_handler, "
    "expense_tracker.entrypoints.lambda_lane, expense_tracker.adapters.aws.lane_wiring"
)

# The floor under the lane: the third-party libraries its cold path cannot do without (the
# SDK's client machinery, the JSON encoder of the bodies).
LIBRARIES = "import botocore.session, orjson"
# The full app's (FastAPI with pydantic, the settings, Mangum): no longer on a plain read's
# cold path, which it was before the lane; the first request the lane leaves pays it.
FULL_APP_LIBRARIES = "import fastapi, pydantic_settings, botocore.session, mangum"


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


def bytecode_env(cache: Path, base: Mapping[str, str] = os.environ) -> dict[str, str]:
    """An environment whose interpreters keep compiled bytecode in `cache`, as the Lambda
    package ships it (infra/function/Makefile): a module is compiled once, by the first run,
    not by every measured run (PYTHONDONTWRITEBYTECODE would make each compile everything)."""
    env = {k: v for k, v in base.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(cache)}


def wall_time(code: str, runs: int, env: Mapping[str, str] | None = None) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of `python -c code`: on a busy
    machine the CPU time is the steadier of the two."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def profile(code: str, runs: int = 5, env: Mapping[str, str] | None = None) -> ImportProfile:
    wall, cpu = wall_time(code, runs, env)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    total, per_package, modules = parse(done.stderr)
    ranked = [(name, us / 1e6) for name, us in per_package.most_common()]
    return ImportProfile(wall=wall, cpu=cpu, total=total, by_package=ranked, modules=modules)


def shares(code: str, env: Mapping[str, str], apart: str) -> list[tuple[str, float]]:
    """One `-X importtime` run of `code`: each top-level package's share of the summed own
    import time, largest first, with the module `apart` counted under its own name (its own
    time is the work its body does besides importing: the handler's is building the app)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    own: Counter[str] = Counter()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "[us]" not in line:
            self_us, _cumulative, name = line[len("import time:") :].split("|")
            name = name.strip()
            own[name if name == apart else name.split(".")[0]] += int(self_us)
    total = sum(own.values())
    return [(name, us / total) for name, us in own.most_common()]
