"""The server section's add lines alone (`--only server_adds`), to iterate on the write path:
one worker with 16 connections and with 1, two workers with 16, each beside its hello-world."""

from __future__ import annotations

from pathlib import Path

from tests.support.server import running_server

from .plan import Plan
from .report import Section, count, ms, ratio, table
from .servers import UVICORN, hello
from .throughput import ADD, ADD_ALONE, HELLO, UNLIMITED, app_requests, load
from .throughput_report import ADD_P99_TARGET, TARGETS, TWO_WORKER_TARGET, verdict
from .wrk import Request, WrkResult

Lines = dict[str, WrkResult]


def collect(plan: Plan, workdir: Path) -> Lines:
    one, two = plan.workers, 2 * plan.workers
    lines: Lines = {}
    data = workdir / "server-data"
    with hello(UVICORN, one, workdir) as url:
        lines[f"{HELLO} ×{one}"] = load(url, Request("/"), plan, workdir)
    with running_server(data, workers=one, env=UNLIMITED, timeout=300) as server:
        add = dict(app_requests(server.base_url, plan.server_rows))[ADD]
        print(f"  server_adds, ×{one}", flush=True)
        lines[f"{ADD} ×{one}"] = load(server.base_url, add, plan, workdir)
        lines[f"{ADD_ALONE} ×{one}"] = load(server.base_url, add, plan, workdir, connections=1)
    with running_server(data, workers=two, env=UNLIMITED, timeout=300) as server:
        print(f"  server_adds, ×{two}", flush=True)
        lines[f"{ADD} ×{two}"] = load(server.base_url, add, plan, workdir)
    return lines


def render(lines: Lines, plan: Plan) -> Section:
    one, two = plan.workers, 2 * plan.workers
    base = lines[f"{HELLO} ×{one}"]
    single, double = lines[f"{ADD} ×{one}"], lines[f"{ADD} ×{two}"]
    section = Section("Server adds alone (wrk, 127.0.0.1)", data=lines)
    rows = [
        [label, count(r.rate), ratio(r.rate, base.rate), ms(r.p50), ms(r.p99)]
        for label, r in lines.items()
    ]
    goal = TARGETS[ADD]
    section.add(
        f"`wrk -t{plan.wrk_threads} -c{plan.connections} -d{plan.wrk_seconds}s` after a "
        f"{plan.wrk_warmup_seconds} s warm-up (the server section's add lines, nothing else):",
        table(["line", "requests/s", "× hello", "p50", "p99"], rows),
        f"One worker: ≥ {goal:g}× hello {verdict(single.rate >= goal * base.rate)}, "
        f"p99 < {ms(ADD_P99_TARGET)} {verdict(single.p99 < ADD_P99_TARGET)}. Two workers: "
        f"{ratio(double.rate, single.rate)} one (≥ {TWO_WORKER_TARGET:g}×: "
        f"{verdict(double.rate >= TWO_WORKER_TARGET * single.rate)}).",
    )
    return section


def run(plan: Plan, workdir: Path) -> Section:
    return render(collect(plan, workdir), plan)
