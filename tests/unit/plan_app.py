"""An in-process app on memory adapters with a fixed clock and chosen rates, for the budget,
recurring and alert tests that need to control 'today'."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from fastapi.testclient import TestClient

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.memory import (
    MemoryExpenseStore,
    MemoryIdentity,
    MemoryJobs,
    MemoryProfiles,
    MemoryRates,
    MemoryReceiptStore,
)
from expense_tracker.adapters.memory_exports import MemoryExportFiles
from expense_tracker.adapters.memory_imports import MemoryImportLedger, MemoryRuleStore
from expense_tracker.adapters.memory_plans import MemoryPlans
from expense_tracker.adapters.memory_reader import MemoryReceiptReader
from expense_tracker.bootstrap import job_handlers
from expense_tracker.config import Settings
from expense_tracker.container import Container
from expense_tracker.entrypoints.http.app import create_app
from expense_tracker.ports.mail import Mailer
from expense_tracker.services.cursors import CursorCodec

PASSWORD = "correct horse battery staple"


@dataclass
class PlanApp:
    container: Container
    clock: FixedClock
    client: TestClient

    def user(self, email: str) -> TestClient:
        """A client signed in as a new user (the memory identity's opaque tokens)."""
        identity = self.container.identity
        identity.signup(email, PASSWORD)
        token = identity.login(email, PASSWORD).access_token
        client = TestClient(self.client.app)
        client.headers["Authorization"] = f"Bearer {token}"
        return client


def memory_container(
    clock: FixedClock,
    rates: dict[date, dict[str, Decimal]] | None = None,
    mailer: Mailer | None = None,
    currency: str = "EUR",
) -> Container:
    profiles = MemoryProfiles(currency)
    store = MemoryExpenseStore(profiles)
    container = Container(
        settings=Settings(default_currency=currency),
        store=store,
        receipts=MemoryReceiptStore(),
        identity=MemoryIdentity(),
        profiles=profiles,
        clock=clock,
        cursors=CursorCodec(b"tests"),
        jobs=MemoryJobs(clock),
        rates=MemoryRates(rates or {}),
        plans=MemoryPlans(),
        mailer=mailer,
        exports=MemoryExportFiles(clock),
        ledger=MemoryImportLedger(store),
        rules=MemoryRuleStore(),
        reader=MemoryReceiptReader(),
    )
    container.jobs.bind(job_handlers(container))
    return container


@contextmanager
def plan_app(
    today: date,
    rates: dict[date, dict[str, Decimal]] | None = None,
    mailer: Mailer | None = None,
) -> Iterator[PlanApp]:
    clock = FixedClock(datetime(today.year, today.month, today.day, 12, tzinfo=UTC))
    container = memory_container(clock, rates, mailer)
    with TestClient(create_app(container=container, serve_pages=False)) as client:
        yield PlanApp(container, clock, client)
