"""Cold start on AWS Lambda: importing the handler, the package's size, and the first request
answered by a fresh process against the local stand-ins (DynamoDB Local, moto)."""

from __future__ import annotations

import json
import logging
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import httpx
from tests.support.aws_stack import API_HOST, SECRET_KEY, AwsStack, lambda_api
from tests.support.lambda_transport import to_event

from expense_tracker.entrypoints.lambda_handler import make_handler

from .importtime import (
    FIRST_CALL,
    FULL_APP_LIBRARIES,
    HANDLER,
    LIBRARIES,
    ImportProfile,
    bytecode_env,
    profile,
    shares,
    wall_time,
)
from .lambda_stack import local_stack, settings_env
from .package import LAMBDA_UNZIPPED_LIMIT, LAMBDA_ZIP_UPLOAD_LIMIT, PackageSize, package_size
from .plan import Plan
from .report import Section, mib, ms, ratio, table

REPO = Path(__file__).resolve().parents[1]
HANDLER_MODULE = "expense_tracker.entrypoints.lambda_handler"
WARM_CALLS = 10
# The goal for this machine: the init phase plus the first request, in CPU time.
GOAL_CPU_SECONDS = 0.400


def _event(path: str, token: str | None) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return to_event(httpx.Request("GET", f"https://{API_HOST}{path}", headers=headers), None)


def _probe(events: list[dict[str, Any]], env: dict[str, str], workdir: Path) -> dict[str, Any]:
    events_file = workdir / "events.json"
    events_file.write_text(json.dumps(events))
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.lambda_probe", str(events_file)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["spawn_to_first_answer"] = result["calls"][0]["answered_at"] - started
    if any(call["status"] != 200 for call in result["calls"]):
        raise RuntimeError(f"the handler answered {[c['status'] for c in result['calls']]}")
    return result


def _cursor_secret(stack: AwsStack) -> str:
    """The cursor key in (moto's) Secrets Manager, as the stack keeps it: init reads it."""
    secrets: Any = boto3.client("secretsmanager", endpoint_url=stack.moto_endpoint)
    made = secrets.create_secret(Name=f"cursor-{uuid.uuid4().hex[:8]}", SecretString=SECRET_KEY)
    return str(made["ARN"])


def first_requests(workdir: Path, cache: Path) -> dict[str, Any]:
    """Fresh processes as Lambda starts them, with the package's bytecode (compiled by a
    first, unmeasured run), and one without bytecode (every module compiled), for scale."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
    with local_stack(workdir) as stack:
        settings = stack.settings(secret_key=None, secret_arn=_cursor_secret(stack))
        user = lambda_api(make_handler(settings), stack).new_user("cold")
        for day in range(1, 21):
            user.add(date=f"2025-03-{day:02d}")
        listing = _event("/api/expenses?limit=50", user.access_token)
        # With local_stack's fake credentials; AWS_LAMBDA_FUNCTION_NAME as on Lambda, so the
        # handler's import is Lambda's init phase and builds the app.
        lambda_env = {**settings_env(settings), "AWS_LAMBDA_FUNCTION_NAME": "bench"}
        env = {**bytecode_env(cache), **lambda_env}
        _probe([listing], env, workdir)  # compiles what init and the first request import
        uncompiled = {**env, "PYTHONPYCACHEPREFIX": str(workdir / "empty-pycache"),
                      "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
        return {
            "list": _probe([listing] * (1 + WARM_CALLS), env, workdir),
            "health": _probe([_event("/api/health", None), listing], env, workdir),
            "full_app": _probe([listing, _event("/api/me", user.access_token)], env, workdir),
            "no_bytecode": _probe([listing], uncompiled, workdir),
            "init_shares": shares(HANDLER, env, HANDLER_MODULE),
        }


def _import_rows(
    floor: tuple[float, float], handler: ImportProfile, first: ImportProfile
) -> list[list[str]]:
    def top(p: ImportProfile) -> str:
        return ", ".join(f"{name} {ms(s)}" for name, s in p.by_package[:6])

    def cells(p: ImportProfile) -> list[str]:
        return [
            f"{ms(p.wall)} ({ratio(p.wall, floor[0])})",
            f"{ms(p.cpu)} ({ratio(p.cpu, floor[1])})",
            ms(p.total),
            top(p),
        ]

    return [
        ["`python -c pass` (baseline)", f"{ms(floor[0])} (1.00×)", f"{ms(floor[1])} (1.00×)",
         "", ""],
        [f"`{HANDLER}`", *cells(handler)],
        ["…plus what the first call imports", *cells(first)],
    ]  # fmt: skip


def _package_block(p: PackageSize) -> list[str]:
    rows = [[name, mib(size), f"{size / p.unzipped:.0%}"] for name, size in p.by_package[:10]]
    return [
        f"Deployment package ({p.method}): **{mib(p.unzipped)} unzipped, {mib(p.zipped)} "
        f"zipped**, {p.files:,} files. Baseline, Lambda's limits: {mib(LAMBDA_UNZIPPED_LIMIT)} "
        f"unzipped ({p.unzipped / LAMBDA_UNZIPPED_LIMIT:.0%} used), {mib(LAMBDA_ZIP_UPLOAD_LIMIT)}"
        f" for a direct zip upload ({p.zipped / LAMBDA_ZIP_UPLOAD_LIMIT:.0%}). The largest parts:",
        table(["top-level entry", "unzipped", "share"], rows),
    ]


def _first_rows(first: dict[str, Any]) -> list[list[str]]:
    listing, health = first["list"], first["health"]
    warm = statistics.median(c["seconds"] for c in listing["calls"][1:])
    warm_cpu = statistics.median(c["cpu"] for c in listing["calls"][1:])

    def cells(seconds: float, cpu: float) -> list[str]:
        return [f"{ms(seconds)} ({ratio(seconds, warm)})", f"{ms(cpu)} ({ratio(cpu, warm_cpu)})"]

    def call(result: dict[str, Any], index: int) -> list[str]:
        return cells(result["calls"][index]["seconds"], result["calls"][index]["cpu"])

    return [
        ["warm GET /api/expenses, same process (baseline)", *cells(warm, warm_cpu)],
        ["first request: GET /api/health (the lane, built at init)", *call(health, 0)],
        ["then the first GET /api/expenses (JWKS, DynamoDB)", *call(health, 1)],
        ["first request: GET /api/expenses (all of it)", *call(listing, 0)],
        ["then the first request the lane leaves: GET /api/me (builds the full app)",
         *call(first["full_app"], 1)],
        ["init: import of the handler module, which builds the lane",
         *cells(listing["import_seconds"], listing["import_cpu"])],
        ["process spawn → first answer (interpreter, import, first request)",
         f"{ms(listing['spawn_to_first_answer'])} "
         f"({ratio(listing['spawn_to_first_answer'], warm)})", ""],
    ]  # fmt: skip


def _goal_rows(
    floor_cpu: float, libraries_cpu: float, full_app_cpu: float, first: dict[str, Any]
) -> list[list[str]]:
    """Init and the first request, each in CPU time beside a bare interpreter's start, and
    the libraries' own import (the whole process's CPU less the bare interpreter's)."""
    listing, cold = first["list"], first["no_bytecode"]
    libraries = max(libraries_cpu - floor_cpu, 0.0)
    full_app = max(full_app_cpu - floor_cpu, 0.0)
    init, request = listing["import_cpu"], listing["calls"][0]["cpu"]
    both, uncompiled = init + request, cold["import_cpu"] + cold["calls"][0]["cpu"]
    verdict = "met" if both < GOAL_CPU_SECONDS else "NOT met"
    goal = f"< {ms(GOAL_CPU_SECONDS)}"
    return [
        ["`python -c pass`, the whole process (baseline)", ms(floor_cpu), "1.00×", ""],
        ["init: the handler's import, which builds the lane", ms(init), ratio(init, floor_cpu),
         f"(with the request) {goal}"],
        ["first request: GET /api/expenses", ms(request), ratio(request, floor_cpu),
         f"(with init) {goal}"],
        ["init + first request", ms(both), ratio(both, floor_cpu), f"{goal}: {verdict}"],
        [f"the lane's floor: `{LIBRARIES}` alone (nothing of ours; its process less the "
         "baseline's)", ms(libraries), ratio(libraries, floor_cpu), ""],
        [f"the full app's libraries, off the lane's path: `{FULL_APP_LIBRARIES}` alone",
         ms(full_app), ratio(full_app, floor_cpu), ""],
        ["the same without bytecode (every module compiled: not Lambda's case)",
         ms(uncompiled), ratio(uncompiled, floor_cpu), ""],
    ]  # fmt: skip


def _where_init_goes(first: dict[str, Any]) -> str:
    """The init's CPU split by package, in the shares one `-X importtime` init gives (its own
    times are wall times, inflated alike on a busy machine; the shares hold)."""
    init = first["list"]["import_cpu"]
    split: list[tuple[str, float]] = first["init_shares"]
    building = dict(split).get(HANDLER_MODULE, 0.0)
    packages = [(name, share) for name, share in split if name != HANDLER_MODULE]
    parts = ", ".join(f"{name} ≈{ms(share * init)}" for name, share in packages[:8])
    rest = sum(share for _, share in packages[8:])
    return (
        f"Where the init's {ms(init)} of CPU goes, in the shares of one `-X importtime` init: "
        f"building the lane ≈{ms(building * init)} (the handler module's own time: the "
        f"settings read without pydantic-settings, one botocore session, the table's and "
        f"Secrets Manager's clients, the secret's read); importing, by package: {parts}, the "
        f"others ≈{ms(rest * init)}. The lane (entrypoints/lambda_lane.py) answers GET "
        "/api/health, a page of /api/expenses and /api/analytics/summary without FastAPI, "
        "Starlette, pydantic, pydantic-settings or Mangum, and checks a plainly valid token "
        "with the standard library (adapters/aws/rs256.py; PyJWT decides anything else). The "
        "first request the lane leaves builds the full app around the lane's client, secret "
        "and rate limits (GET /api/me in the first-request table below). Not loaded at init: "
        "the full app, the "
        "libraries only some requests use (Pillow, pypdf, pi-heif, ofxtools, zxcvbn, "
        "defusedxml, PyJWT and cryptography, the shipped rate history), the job services, and "
        "the S3, Cognito, SQS and Textract clients, made on their first call "
        "(tests/aws/test_lambda_cold_imports.py). A SnapStart init builds the full app and "
        "every route before the snapshot, so restored copies build none."
    )


def run(plan: Plan, workdir: Path) -> Section:
    runs = 3 if plan.quick else 5  # the section has a minute of a quiet machine
    started = time.perf_counter()
    cache = workdir / "pycache"  # the package's bytecode, as Lambda ships it
    env = bytecode_env(cache)
    wall_time(FIRST_CALL, 1, env)  # compiles it: the runs below measure with bytecode
    floor = wall_time("pass", runs, env)
    libraries = wall_time(LIBRARIES, runs, env)
    full_app = wall_time(FULL_APP_LIBRARIES, runs, env)
    handler, first_call = profile(HANDLER, runs, env), profile(FIRST_CALL, runs, env)
    print(f"  cold start: imports measured in {time.perf_counter() - started:.0f} s; "
          "building the Lambda package", flush=True)  # fmt: skip
    size = package_size(workdir)
    print(f"  cold start: {time.perf_counter() - started:.0f} s; first requests against "
          "DynamoDB Local + moto", flush=True)  # fmt: skip
    first = first_requests(workdir, cache)
    print(f"  cold start: {time.perf_counter() - started:.0f} s in all", flush=True)
    section = Section(
        "Cold start (AWS Lambda)", data={"first": first, "package": size, "libraries": libraries}
    )
    listing = first["list"]
    warm = statistics.median(c["seconds"] for c in listing["calls"][1:])
    init_and_first = listing["import_cpu"] + listing["calls"][0]["cpu"]
    section.headlines.append(
        f"Cold start CPU: init + first request {ms(init_and_first)} (goal < "
        f"{ms(GOAL_CPU_SECONDS)}; bare interpreter {ms(floor[1])}; importing the lane's "
        f"libraries alone {ms(max(libraries[1] - floor[1], 0.0))})."
    )
    section.headlines.append(
        f"Cold start: importing the handler {ms(handler.wall)} (bare interpreter "
        f"{ms(floor[0])}); first request {ms(listing['calls'][0]['seconds'])} (warm "
        f"{ms(warm)}); package {mib(size.zipped)} zipped "
        f"({size.zipped / LAMBDA_ZIP_UPLOAD_LIMIT:.0%} of the 50 MiB direct-upload limit)."
    )
    section.add(
        "The goal: Lambda's init phase (the handler's import, which builds the app, the clients "
        "and reads the secret) plus the first request, in CPU time, measured in a fresh "
        "`python -m benchmarks.lambda_probe` as below, beside a whole bare interpreter's CPU:",
        table(["step", "CPU", "ratio to `python -c pass`", "goal"],
              _goal_rows(floor[1], libraries[1], full_app[1], first)),
        _where_init_goes(first),
        "Every process here runs with the package's bytecode (compiled once by an unmeasured "
        "first run), as Lambda runs the package, which ships `.pyc` files for its Python "
        "(tests/infra checks their magic number). With SnapStart the init phase runs once per "
        "published version, not per cold start: a restored environment pays only the first "
        "request (and the restore).",
    )  # fmt: skip
    section.add(
        f"Import in a fresh interpreter (wall and CPU time of the whole process: medians of "
        f"{runs}; import time: the sum of every module's own time under `-X importtime`, by "
        "top-level package):",
        table(["command", "wall (ratio)", "CPU (ratio)", "import time",
               "largest packages (own time)"],
              _import_rows(floor, handler, first_call)),
        *_package_block(size),
        "First request: a fresh `python -m benchmarks.lambda_probe` imports the handler and "
        "answers API Gateway (HTTP API v2) events, configured through EXPENSE_TRACKER_* as on "
        "Lambda, against DynamoDB Local and moto's server (S3, Cognito's JWKS) on 127.0.0.1. "
        f"Warm: the median of the {WARM_CALLS} requests that follow in the same process.",
        table(["step", "wall (ratio to warm)", "CPU (ratio to warm)"], _first_rows(first)),
        "The stand-ins answer on loopback; on AWS each first call to DynamoDB, S3 or Cognito "
        "also opens a TLS connection, and Lambda's own init (the runtime, the package "
        "download) comes before all of this.",
    )  # fmt: skip
    return section
