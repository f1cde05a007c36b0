"""A 5xx answer says nothing of its cause to the client, but the server's log names it."""

from __future__ import annotations

import sqlite3

import pytest

from expense_tracker.domain.errors import StorageError
from expense_tracker.entrypoints.http.problems import expense_problem


def test_a_storage_error_is_logged_with_its_sqlite_cause(caplog: pytest.LogCaptureFixture) -> None:
    source = sqlite3.connect(":memory:")
    source.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
    source.execute("INSERT INTO t VALUES (1)")
    try:
        source.execute("INSERT INTO t VALUES (1)")
    except sqlite3.IntegrityError as cause:
        error = StorageError("could not add the expense")
        error.__cause__ = cause
    source.close()
    with caplog.at_level("ERROR", logger="expense_tracker.http"):
        response = expense_problem(error)
    assert response.status_code == 503
    assert b"UNIQUE" not in response.body  # the client gets the generic text only
    assert "could not add the expense" in caplog.text
    assert "SQLITE_CONSTRAINT_PRIMARYKEY" in caplog.text
