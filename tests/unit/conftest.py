"""Fixtures of the local identity provider's unit tests (test_local_identity, test_local_tokens):
a real SQLite file, a clock the tests move, and the provider on both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.local.identity import LocalIdentityProvider
from expense_tracker.adapters.sqlite.db import Database
from tests.unit.identity_helpers import START, make_idp


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "db.sqlite3")
    yield database
    database.close()


@pytest.fixture
def idp(db: Database, tmp_path: Path, clock: FixedClock) -> LocalIdentityProvider:
    return make_idp(db, tmp_path, clock)
