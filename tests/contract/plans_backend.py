"""The plans port beside an expense store on one backend (memory, SQLite, DynamoDB Local), for
the plans contract tests and the recurring exactly-once tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from expense_tracker.adapters.memory import MemoryExpenseStore
from expense_tracker.adapters.memory_plans import MemoryPlans
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.plans import SqlitePlans
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore
from expense_tracker.ports import ExpenseStore
from expense_tracker.ports.plans import PlanStore


@dataclass
class PlanBackend:
    name: str
    store: ExpenseStore
    plans: PlanStore


PLAN_BACKENDS = [
    pytest.param("memory"),
    pytest.param("sqlite"),
    pytest.param("dynamodb", marks=pytest.mark.aws),
]


@pytest.fixture(params=PLAN_BACKENDS)
def plan_backend(request: pytest.FixtureRequest) -> Iterator[PlanBackend]:
    if request.param == "memory":
        yield PlanBackend("memory", MemoryExpenseStore(), MemoryPlans())
    elif request.param == "sqlite":
        db = Database(request.getfixturevalue("tmp_path") / "plans.sqlite3")
        try:
            yield PlanBackend("sqlite", SqliteExpenseStore(db), SqlitePlans(db))
        finally:
            db.close()
    else:
        from expense_tracker.adapters.aws.dynamodb_plans import DynamoPlans
        from expense_tracker.adapters.aws.dynamodb_store import DynamoExpenseStore

        client = request.getfixturevalue("dynamodb_client")
        table = request.getfixturevalue("dynamodb_table")
        yield PlanBackend("dynamodb", DynamoExpenseStore(client, table), DynamoPlans(client, table))
