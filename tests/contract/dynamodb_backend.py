"""The DynamoDB entry of the contract suite: the store on DynamoDB Local (one per session)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from expense_tracker.adapters.aws.dynamodb_store import DynamoExpenseStore, DynamoProfiles

if TYPE_CHECKING:
    from .conftest import Backend


@contextmanager
def dynamodb_backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    from .conftest import DEFAULT_CURRENCY, Backend  # here: conftest imports this module

    client = request.getfixturevalue("dynamodb_client")
    table = request.getfixturevalue("dynamodb_table")  # shared: every test has its own users
    yield Backend(
        "dynamodb",
        DynamoExpenseStore(client, table),
        DynamoProfiles(client, table, DEFAULT_CURRENCY),
    )
