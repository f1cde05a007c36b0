"""Lighthouse (npm `lighthouse`, its Node API in benchmarks/lighthouse.mjs) on Debian's
Chromium: the sign-in page (the baseline) and the signed-in dashboard with data, mobile and
desktop, against the issue's targets."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .report import kib, table

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "lighthouse.mjs"
CHROMIUM = "/usr/bin/chromium"
TIMEOUT_S = 280
TARGETS = "performance ≥ 95, accessibility 100, best practices 100, CLS < 0.05, TBT < 150 ms"
DASHBOARD_COLD_KIB = 150


@dataclass
class Audit:
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


def run_audits(base_url: str, tokens: dict[str, Any]) -> tuple[list[Audit], float]:
    env = {**os.environ, "CHROME_PATH": CHROMIUM, "SESSION_JSON": session_json(tokens)}
    t0 = time.perf_counter()
    done = subprocess.run(
        ["node", str(SCRIPT), base_url],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"lighthouse failed: {done.stderr[-2000:]}")
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    audits = [
        Audit(
            r["page"], r["form_factor"], r["performance"], r["accessibility"],
            r["best_practices"], r["cls"] or 0.0, r["tbt_ms"] or 0.0, r["lcp_ms"] or 0.0,
            int(r["bytes"] or 0), r["failing"],
        )
        for r in rows
    ]  # fmt: skip
    return audits, time.perf_counter() - t0


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
    return (
        f"Dashboard cold transfer (Lighthouse's total byte weight, the larger of its runs): "
        f"{kib(board.bytes)} against the sign-in page's {kib(login.bytes)} (baseline); target "
        f"< {DASHBOARD_COLD_KIB} KiB: {verdict}."
    )
