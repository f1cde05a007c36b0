"""`make bench`: run every measurement and write BENCHMARKS.md.

    python -m benchmarks.run            # the full run (under 20 minutes on 2 cores)
    python -m benchmarks.run --quick    # small sizes, short loads: to check the code works
    python -m benchmarks.run --only scale,import

The full run writes BENCHMARKS.md; a quick run writes nowhere unless given --out, so its
figures never pass for the real ones."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from . import (
    coldstart,
    export_jobs,
    hardening,
    home_summary,
    importing,
    imports_job,
    install,
    pages,
    recurring,
    scale,
    scans,
    side_by_side,
    throughput,
    throughput_adds,
)
from .machine import load_average, machine_info
from .plan import Plan
from .report import Section, table

REPO = Path(__file__).resolve().parents[1]
SECTIONS: dict[str, Callable[[Plan, Path], Section]] = {
    "server": throughput.run,
    "server_adds": throughput_adds.run,
    "peer": side_by_side.run,
    "scale": scale.run,
    "home_summary": home_summary.run,
    "import": importing.run,
    "imports_job": imports_job.run,
    "coldstart": coldstart.run,
    "pages": pages.run,
    "export_jobs": export_jobs.run,
    "install": install.run,
    "recurring": recurring.run,
    "scans": scans.run,
    "hardening": hardening.run,
}


def run_section(name: str, plan: Plan, workdir: Path) -> tuple[Section, float, bool]:
    print(f"{name} ...", flush=True)
    t0 = time.perf_counter()
    try:
        section, ok = SECTIONS[name](plan, workdir), True
    except Exception:  # one failed measurement must not lose the others' figures
        section, ok = Section(f"{name}: FAILED"), False
        section.add("```\n" + traceback.format_exc() + "```")
    elapsed = time.perf_counter() - t0
    print(f"{name}: {elapsed:.0f} s{'' if ok else ' (FAILED)'}", flush=True)
    return section, elapsed, ok


def header(plan: Plan, machine: dict[str, str], durations: dict[str, float], only: str) -> str:
    mode = "a quick run: small sizes, short loads" if plan.quick else "the full run"
    lines = [
        "# Benchmarks",
        "",
        f"Written by `python -m benchmarks.run` ({mode}) on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. These are measurements, not tests: each "
        "figure stands beside a baseline measured in the same run on the same machine, and "
        "the ratio is the figure to read; the absolute numbers move with the machine and "
        "whatever else it is doing.",
    ]
    if plan.quick:
        lines += ["", "> **Quick mode:** the sizes and durations are far below the full run's; "
                  "these figures show the shape, not the capacity."]  # fmt: skip
    lines += [
        "",
        "## Reproduce",
        "",
        "```sh",
        "make bench                                   # installs what it needs, then the full run",
        ".venv/bin/python -m benchmarks.run --quick   # a small run, a minute or two",
        f".venv/bin/python -m benchmarks.run --only {only or 'scale,import'}",
        "```",
        "",
        "## Machine",
        "",
        table(["", ""], [*machine.items(), ("load average (1/5/15 min) at the end",
                                             load_average())]),
        "",
        "Time per section: " + ", ".join(f"{k} {v:.0f} s" for k, v in durations.items()) + ".",
    ]  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, short loads")
    parser.add_argument("--only", default="", help=f"comma-separated: {','.join(SECTIONS)}")
    parser.add_argument("--out", type=Path, help="where to write (default: BENCHMARKS.md)")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(SECTIONS)
    unknown = set(names) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    plan = Plan.quick_plan() if args.quick else Plan.full()
    machine = machine_info()
    sections, durations, failed = [], {}, []
    with tempfile.TemporaryDirectory(prefix="expense-tracker-bench-") as tmp:
        for name in names:
            workdir = Path(tmp) / name
            workdir.mkdir()
            section, durations[name], ok = run_section(name, plan, workdir)
            sections.append(section)
            failed += [] if ok else [name]
    text = header(plan, machine, durations, args.only) + "\n\n"
    headlines = [line for s in sections for line in s.headlines]
    if headlines:
        text += "## Headlines\n\n" + "\n".join(f"- {line}" for line in headlines) + "\n\n"
    text += "\n\n".join(s.markdown() for s in sections) + "\n"
    out = args.out or (None if args.quick else REPO / "BENCHMARKS.md")
    if out is None:
        print(text)
    else:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
