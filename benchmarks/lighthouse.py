"""Lighthouse (npm `lighthouse`, its Node API in benchmarks/lighthouse.mjs) on Debian's
Chromium: the sign-in page (the baseline) and the signed-in dashboard with data, mobile and
desktop, against the issue's targets."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .report import kib, table

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "lighthouse.mjs"
CHROMIUM = "/usr/bin/chromium"
TIMEOUT_S = 400
TARGETS = "performance ≥ 95, accessibility 100, best practices 100, CLS < 0.05, TBT < 150 ms"
DASHBOARD_COLD_KIB = 150


@dataclass
class Audit:
    """One page and form factor: the median of its runs, figure by figure."""

    page: str
    form_factor: str
    performance: int
    accessibility: int
    best_practices: int
    cls: float
    tbt_ms: float
    lcp_ms: float
    bytes: int
    failing: list[str]
    runs: int = 1
    errors: list[str] = field(default_factory=list)  # failed runs, each run again once

    def meets(self) -> bool:
        scores = self.performance >= 95 and self.accessibility == self.best_practices == 100
        return scores and self.cls < 0.05 and self.tbt_ms < 150


def session_json(tokens: dict[str, Any]) -> str:
    """The session as login.js stores it (session.js's saveSession)."""
    lifetime = int(tokens["expires_in"]) * 1000
    return json.dumps({
        "access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
        "expires_at": int(time.time() * 1000) + lifetime, "lifetime": lifetime,
    })  # fmt: skip


def median_audit(runs: list[dict[str, Any]]) -> Audit:
    """Each figure's median over the runs (Lighthouse is noisy on a shared machine); the
    failing audits are those of the run with the median performance score."""

    def mid(key: str) -> float:
        return float(statistics.median(float(r[key] or 0) for r in runs))

    middle = sorted(runs, key=lambda r: r["performance"])[len(runs) // 2]
    return Audit(
        runs[0]["page"], runs[0]["form_factor"], round(mid("performance")),
        round(mid("accessibility")), round(mid("best_practices")), mid("cls"), mid("tbt_ms"),
        mid("lcp_ms"), int(max(float(r["bytes"] or 0) for r in runs)), middle["failing"],
        len(runs), [r[k] for r in runs for k in ("retried", "error") if r.get(k)],
    )  # fmt: skip


def run_audits(base_url: str, tokens: dict[str, Any], runs: int) -> tuple[list[Audit], float]:
    env = {
        **os.environ, "CHROME_PATH": CHROMIUM, "SESSION_JSON": session_json(tokens),
        "LIGHTHOUSE_RUNS": str(runs),
    }  # fmt: skip
    t0 = time.perf_counter()
    done = subprocess.run(
        ["node", str(SCRIPT), base_url],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"lighthouse failed: {done.stderr[-2000:]}")
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in json.loads(done.stdout.strip().splitlines()[-1]):
        found.setdefault((row["page"], row["form_factor"]), []).append(row)
    return [median_audit(rows) for rows in found.values()], time.perf_counter() - t0


def audits_table(audits: list[Audit]) -> str:
    return table(
        ["page", "form factor", "performance", "accessibility", "best practices", "CLS",
         "TBT", "LCP", "transferred (cold)", "targets met"],
        [
            [a.page, a.form_factor, str(a.performance), str(a.accessibility),
             str(a.best_practices), f"{a.cls:.3f}", f"{a.tbt_ms:.0f} ms", f"{a.lcp_ms:.0f} ms",
             kib(a.bytes), "yes" if a.meets() else "NO: " + "; ".join(a.failing)]
            for a in audits
        ],
    )  # fmt: skip


def cold_dashboard_line(audits: list[Audit]) -> str:
    login = next(a for a in audits if a.page == "sign-in page")
    board = max((a for a in audits if a.page == "dashboard"), key=lambda a: a.bytes)
    verdict = "met" if board.bytes < DASHBOARD_COLD_KIB * 1024 else "NOT met"
    errors = [f"{a.page}, {a.form_factor}: {e}" for a in audits for e in a.errors]
    failed = (
        " Runs that failed and were run again: " + "; ".join(errors) + "."
        if errors
        else " No run failed."
    )
    return (
        f"Dashboard cold transfer (Lighthouse's total byte weight, the larger of its runs): "
        f"{kib(board.bytes)} against the sign-in page's {kib(login.bytes)} (baseline); target "
        f"< {DASHBOARD_COLD_KIB} KiB: {verdict}.{failed}"
    )
