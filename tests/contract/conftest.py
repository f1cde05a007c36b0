"""One contract suite for every ExpenseStore (and Profiles) adapter.

Every test in tests/contract takes the `backend` (or `store`) fixture and so runs once per entry
of BACKENDS. To add an adapter (e.g. DynamoDB):

1. write a factory: a context manager that takes the pytest request (to reach other fixtures
   such as `tmp_path` or a DynamoDB Local session) and yields a `Backend` whose store and
   profiles share their data, cleaning up on exit;
2. add it to BACKENDS under a name, with the marks it needs, e.g.
   `BACKENDS["dynamodb"] = BackendFactory(dynamodb_backend, marks=(pytest.mark.aws,))`.

The memory store is the reference: when a new adapter disagrees with it, the adapter is wrong
(or the contract is, and then both change together)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

import pytest

from expense_tracker.adapters.memory import MemoryExpenseStore, MemoryProfiles
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore, SqliteProfiles
from expense_tracker.ports import ExpenseStore, Profiles

from .dynamodb_backend import dynamodb_backend
from .plans_backend import plan_backend  # noqa: F401  (the plans port's fixture)

DEFAULT_CURRENCY = "EUR"


@dataclass
class Backend:
    name: str
    store: ExpenseStore
    profiles: Profiles


@dataclass(frozen=True)
class BackendFactory:
    make: Callable[[pytest.FixtureRequest], AbstractContextManager[Backend]]
    marks: tuple[pytest.MarkDecorator, ...] = field(default=())


@contextmanager
def memory_backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    profiles = MemoryProfiles(DEFAULT_CURRENCY)
    yield Backend("memory", MemoryExpenseStore(profiles), profiles)


@contextmanager
def sqlite_backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    tmp_path = request.getfixturevalue("tmp_path")
    db = Database(tmp_path / "contract.sqlite3")
    try:
        yield Backend("sqlite", SqliteExpenseStore(db), SqliteProfiles(db, DEFAULT_CURRENCY))
    finally:
        db.close()


BACKENDS: dict[str, BackendFactory] = {
    "memory": BackendFactory(memory_backend),
    "sqlite": BackendFactory(sqlite_backend),
    "dynamodb": BackendFactory(dynamodb_backend, marks=(pytest.mark.aws,)),
}


@pytest.fixture(params=[pytest.param(name, marks=f.marks) for name, f in BACKENDS.items()])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    with BACKENDS[request.param].make(request) as made:
        yield made


@pytest.fixture
def store(backend: Backend) -> ExpenseStore:
    return backend.store
