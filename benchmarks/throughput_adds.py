"""The server section's add lines alone (`--only server_adds`), to iterate on the write path:
one worker with 16 connections and with 1, two workers with 16, each beside its hello-world."""

from __future__ import annotations

from pathlib import Path

from tests.support.server import RunningServer, running_server

from .plan import Plan
from .process_cpu import tree_cpu_seconds
from .report import Section, count, ms, ratio, table
from .servers import UVICORN, hello
from .throughput import ADD, ADD_ALONE, HELLO, UNLIMITED, app_requests, load
from .throughput_report import ADD_P99_TARGET, TARGETS, TWO_WORKER_TARGET, verdict
from .wrk import Request, WrkResult

Lines = dict[str, WrkResult]
CpuPerAdd = dict[str, float]  # line -> the server's CPU seconds (every worker) per request


def collect(plan: Plan, workdir: Path) -> tuple[Lines, CpuPerAdd]:
    one, two = plan.workers, 2 * plan.workers
    lines: Lines = {}
    cpu: CpuPerAdd = {}
    data = workdir / "server-data"
    with hello(UVICORN, one, workdir) as url:
        lines[f"{HELLO} ×{one}"] = load(url, Request("/"), plan, workdir)

    def measured(label: str, server: RunningServer, add: Request, connections: int) -> None:
        before = tree_cpu_seconds(server.process.pid)
        lines[label] = result = load(server.base_url, add, plan, workdir, connections)
        # The warm-up's CPU counts too: divided by the requests of both runs (estimated).
        total = result.requests * (1 + plan.wrk_warmup_seconds / plan.wrk_seconds)
        cpu[label] = (tree_cpu_seconds(server.process.pid) - before) / total

    with running_server(data, workers=one, env=UNLIMITED, timeout=300) as server:
        add = dict(app_requests(server.base_url, plan.server_rows))[ADD]
        print(f"  server_adds, ×{one}", flush=True)
        measured(f"{ADD} ×{one}", server, add, plan.connections)
        measured(f"{ADD_ALONE} ×{one}", server, add, 1)
    with running_server(data, workers=two, env=UNLIMITED, timeout=300) as server:
        print(f"  server_adds, ×{two}", flush=True)
        measured(f"{ADD} ×{two}", server, add, plan.connections)
    return lines, cpu


def render(lines: Lines, plan: Plan, cpu: CpuPerAdd | None = None) -> Section:
    one, two = plan.workers, 2 * plan.workers
    base = lines[f"{HELLO} ×{one}"]
    single, double = lines[f"{ADD} ×{one}"], lines[f"{ADD} ×{two}"]
    section = Section("Server adds alone (wrk, 127.0.0.1)", data=lines)
    cpu = cpu or {}
    rows = [
        [label, count(r.rate), ratio(r.rate, base.rate), ms(r.p50), ms(r.p99)]
        + [ms(cpu[label]) if label in cpu else "–"]
        for label, r in lines.items()
    ]
    goal = TARGETS[ADD]
    section.add(
        f"`wrk -t{plan.wrk_threads} -c{plan.connections} -d{plan.wrk_seconds}s` after a "
        f"{plan.wrk_warmup_seconds} s warm-up (the server section's add lines, nothing else):",
        table(["line", "requests/s", "× hello", "p50", "p99", "server CPU / request"], rows),
        f"One worker: ≥ {goal:g}× hello {verdict(single.rate >= goal * base.rate)}, "
        f"p99 < {ms(ADD_P99_TARGET)} {verdict(single.p99 < ADD_P99_TARGET)}. Two workers: "
        f"{ratio(double.rate, single.rate)} one (≥ {TWO_WORKER_TARGET:g}×: "
        f"{verdict(double.rate >= TWO_WORKER_TARGET * single.rate)}).",
    )
    return section


def run(plan: Plan, workdir: Path) -> Section:
    lines, cpu = collect(plan, workdir)
    return render(lines, plan, cpu)
