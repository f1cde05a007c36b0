"""How big and how long each measurement is: the full run, and a quick one for development."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    quick: bool
    wrk_seconds: int  # per endpoint, after a warm-up
    wrk_warmup_seconds: int
    connections: int  # wrk's closed loop: this many requests in flight
    wrk_threads: int
    workers: int  # uvicorn processes, for the app and the hello-world alike
    server_rows: int  # expenses the load-test user has
    scale_sizes: tuple[int, ...]
    import_rows: int
    samples: int  # latency samples per scale figure (fewer when one takes long)
    sample_budget_seconds: float
    page_rows: int  # expenses behind the dashboard in the browser

    @classmethod
    def full(cls) -> Plan:
        return cls(
            quick=False,
            wrk_seconds=8,
            wrk_warmup_seconds=2,
            connections=16,
            wrk_threads=1,
            workers=1,
            server_rows=1_000,
            scale_sizes=(1_000, 10_000, 100_000, 1_000_000),
            import_rows=100_000,
            samples=25,
            sample_budget_seconds=4.0,
            page_rows=1_000,
        )

    @classmethod
    def quick_plan(cls) -> Plan:
        return cls(
            quick=True,
            wrk_seconds=2,
            wrk_warmup_seconds=1,
            connections=8,
            wrk_threads=1,
            workers=1,
            server_rows=200,
            scale_sizes=(1_000, 5_000),
            import_rows=5_000,
            samples=5,
            sample_budget_seconds=1.0,
            page_rows=100,
        )
