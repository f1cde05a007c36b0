"""The server section's tables: each figure beside its hello-world baseline, with the target."""

from __future__ import annotations

import math

from .plan import Plan
from .report import Section, count, ms, ratio, table
from .wrk import WrkResult

Runs = dict[str, dict[str, WrkResult]]  # server config -> line -> figures

HELLO = "hello-world ASGI (baseline)"
# The goals, one worker, as a share of the hello-world's requests/s.
TARGETS = {
    "GET /api/health (no auth, no database)": 0.3,
    "GET /api/expenses (a page of 50)": 0.05,
    "GET /api/analytics/summary (a year)": 0.05,
    "POST /api/expenses (add, synchronous=FULL)": 0.05,
}
ADD_P99_TARGET = 0.050
TWO_WORKER_TARGET = 1.6


def mean(a: WrkResult, b: WrkResult) -> WrkResult:
    return WrkResult(
        requests=a.requests + b.requests,
        seconds=a.seconds + b.seconds,
        non_2xx_3xx=0,
        socket_errors=0,
        p50=(a.p50 + b.p50) / 2,
        p99=(a.p99 + b.p99) / 2,
        max=max(a.max, b.max),
    )


def baseline(runs: Runs, config: str) -> WrkResult:
    lines = runs[config]
    if HELLO in lines:
        return lines[HELLO]
    return mean(lines[HELLO + ", before"], lines[HELLO + ", after"])


def verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def _target_cell(label: str, r: WrkResult, base: WrkResult) -> str:
    goal = TARGETS.get(label)
    if goal is None:
        return ""
    share = r.rate / base.rate if base.rate else 0.0
    text = f"≥ {goal:g}×: {verdict(share >= goal)}"
    if label.startswith("POST"):
        text += f"; p99 < {ms(ADD_P99_TARGET)}: {verdict(r.p99 < ADD_P99_TARGET)}"
    return text


def one_worker_table(runs: Runs, config: str) -> str:
    base = baseline(runs, config)
    rows = []
    for label, r in runs[config].items():
        rows.append(
            [
                label,
                count(r.rate),
                ratio(r.rate, base.rate),
                _target_cell(label, r, base),
                f"{ms(r.p50)} ({ratio(r.p50, base.p50)})",
                f"{ms(r.p99)} ({ratio(r.p99, base.p99)})",
                str(r.non_2xx_3xx + r.socket_errors),
            ]
        )
    headers = ["endpoint", "requests/s", "× hello", "target", "p50 (ratio)", "p99 (ratio)"]
    return table([*headers, "errors"], rows)


def scaling_table(runs: Runs, one: str, two: str) -> str:
    rows = []
    for label, r2 in runs[two].items():
        r1 = runs[one].get(label) or baseline(runs, one)
        scale = r2.rate / r1.rate if r1.rate else 0.0
        goal = "" if label == HELLO else f"≥ {TWO_WORKER_TARGET:g}×: {verdict(scale >= 1.6)}"
        errors = str(r2.non_2xx_3xx + r2.socket_errors)
        p99 = ms(r2.p99) if r2.requests else "n/a"
        rows.append([label, count(r1.rate), count(r2.rate), f"{scale:.2f}×", goal, p99, errors])
    return table(["endpoint", one, two, "two / one", "target", f"p99, {two}", "errors"], rows)


def two_worker_ceiling(runs: Runs, one: str, two: str) -> str:
    """Why a light line cannot double here: the hello-world's own gain is the measure."""
    hello = runs[two][HELLO].rate / baseline(runs, one).rate
    return (
        f"The hello-world itself gains {hello:.2f}× from a second worker. With one worker the "
        "server fills one core and wrk uses part of the other; with two, both workers and wrk "
        "share the two cores. For server CPU Y and wrk CPU X per request, two workers reach at "
        "most 2Y/(X+Y) times one: near 2× for a line whose request costs the server much more "
        "than wrk (a page, an add), about 1.5× for health (Y about 56 µs against X about "
        "15-20 µs, read from /proc by hand, not in this run). On 2 cores health cannot meet "
        "1.6× however lean it is; a second machine for wrk, or more cores, would be needed to "
        "measure it."
    )


def server_table(runs: Runs, first: str, second: str) -> str:
    base1, base2 = baseline(runs, first), baseline(runs, second)
    rows = [[HELLO, count(base1.rate), count(base2.rate), ratio(base2.rate, base1.rate)]]
    for label, r2 in runs[second].items():
        if label == HELLO:
            continue
        r1 = runs[first][label]
        rows.append(
            [
                label,
                f"{count(r1.rate)} ({ratio(r1.rate, base1.rate)})",
                f"{count(r2.rate)} ({ratio(r2.rate, base2.rate)})",
                ratio(r2.rate, r1.rate),
            ]
        )
    headers = ["endpoint", f"{first}: req/s (× its hello)", f"{second}: req/s (× its hello)"]
    return table([*headers, f"{second} / {first}"], rows)


def render(runs: Runs, plan: Plan) -> Section:
    one, two, granian = runs
    section = Section("Server throughput and latency (wrk, 127.0.0.1)", data=runs)
    base = baseline(runs, one)
    for label, goal in TARGETS.items():
        r = runs[one][label]
        section.headlines.append(
            f"Server ({one}), {label}: {count(r.rate)} requests/s = {ratio(r.rate, base.rate)} "
            f"the hello-world's (target ≥ {goal:g}×), p99 {ms(r.p99)}."
        )
    section.add(
        f"`wrk -t{plan.wrk_threads} -c{plan.connections} -d{plan.wrk_seconds}s` per line after a "
        f"{plan.wrk_warmup_seconds} s warm-up, against `expense-tracker serve` (uvicorn with "
        "uvloop and httptools, access log off as by default, SQLite with synchronous=FULL) "
        f"holding one user with {count(plan.server_rows)} expenses (plus the adds of the lines "
        "before). Baseline: a bare ASGI hello-world (`benchmarks/hello_asgi.py`) on the same "
        "server, worker count and wrk settings, access log off; on one uvicorn worker it runs "
        "before and after the app and the ratio is to their mean. Every add has its own amount "
        "(a wrk counter), so none is a possible duplicate. The per-user rate limit was raised "
        f"for this run. One worker ({one}):",
        one_worker_table(runs, one),
        f"Two workers ({two}) against one, same data, same wrk (on 2 cores wrk itself takes "
        "one share of the CPU):",
        scaling_table(runs, one, two),
        two_worker_ceiling(runs, one, two),
        "uvicorn against granian (both with uvloop, one worker, access log off), each beside "
        "its own hello-world:",
        server_table(runs, one, granian),
        server_choice(runs, one, granian),
    )
    return section


def server_choice(runs: Runs, uvicorn: str, granian: str) -> str:
    """Which server measured best on the app's lines (the geometric mean of granian / uvicorn),
    and what `serve` runs."""
    shares = [
        runs[granian][label].rate / r.rate
        for label, r in runs[uvicorn].items()
        if label in runs[granian] and r.rate and runs[granian][label].rate
    ]
    mean_share = math.prod(shares) ** (1 / len(shares)) if shares else 0.0
    faster = "granian" if mean_share > 1 else "uvicorn"
    return (
        f"On the app's lines granian gives {mean_share:.2f}× uvicorn's requests/s (geometric "
        f"mean): {faster} measured best in this run. `serve` runs uvicorn: its guarded httptools "
        "protocol (a bounded request head with a deadline, entrypoints/http/guarded_protocol.py; "
        "tests/http/test_connection_limits.py) has no granian counterpart, so granian stays a "
        "`dev` dependency measured here."
    )
