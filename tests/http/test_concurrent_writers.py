"""PATCH without If-Match under many concurrent writers: each retries until it wins, or
answers 409; never a 412, which only a client that sent If-Match may get."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.api import User

WRITERS = 30
ROUNDS = 4  # each writer changes it a few times, so the writers overlap


@pytest.mark.local_only
def test_thirty_writers_without_if_match_never_get_a_412(user: User) -> None:
    expense = user.add()
    path = f"/api/expenses/{expense['id']}"

    def write(index: int) -> list[int]:
        with httpx.Client(base_url=user.client.base_url, headers=user.client.headers) as client:
            return [
                client.patch(path, json={"description": f"{index}.{n}"}, timeout=60).status_code
                for n in range(ROUNDS)
            ]

    with ThreadPoolExecutor(WRITERS) as pool:
        statuses = [status for answers in pool.map(write, range(WRITERS)) for status in answers]

    assert set(statuses) <= {200, 409}, statuses
    final = user.client.get(path).json()
    assert final["version"] == 1 + statuses.count(200)
