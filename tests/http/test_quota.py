"""The per-user storage quota on both backends (a server and a Lambda app with a quota of a
few files): tickets and confirms beyond it are refused with problem+json naming the field,
and the local server's sweep removes uploads whose ticket is over."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from expense_tracker.entrypoints.lambda_handler import make_handler
from tests.http.test_receipts import PNG, attach, confirm, send, ticket_for
from tests.support import receipt_files as files
from tests.support.api import Api, User, socket_api
from tests.support.aws_stack import AwsStack, gateway_authorizer, lambda_api
from tests.support.checks import assert_problem
from tests.support.server import RunningServer, start_server

FILE = files.image_bytes("PNG", (40, 30))  # kept byte for byte: its size is what is stored
QUOTA = 3 * len(FILE) + len(FILE) // 2  # room for three such receipts, not four


@pytest.fixture(scope="module")
def quota_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {
        "EXPENSE_TRACKER_STORAGE_QUOTA_BYTES": str(QUOTA),
        "EXPENSE_TRACKER_PENDING_SWEEP_SECONDS": "0.2",
    }
    server = start_server(tmp_path_factory.mktemp("quota") / "data", env=env)
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["local", pytest.param("aws", marks=pytest.mark.aws)])
def quota_api(request: pytest.FixtureRequest) -> Api:
    if request.param == "local":
        server: RunningServer = request.getfixturevalue("quota_server")
        return socket_api(server.base_url)
    stack: AwsStack = request.getfixturevalue("aws_stack")
    handler = make_handler(stack.settings(storage_quota_bytes=QUOTA))
    return lambda_api(handler, stack, gateway_authorizer(stack))


@pytest.fixture
def me(quota_api: Api) -> Iterator[User]:
    account = quota_api.new_user("quota")
    yield account
    account.client.close()


def ask_ticket(user: User, expense_id: str, size: int) -> httpx.Response:
    body = {"content_type": PNG, "size": size}
    return user.client.post(f"/api/expenses/{expense_id}/receipt/upload", json=body)


def field_of(response: httpx.Response) -> str:
    errors: list[dict[str, Any]] = response.json()["errors"]
    return str(errors[0]["field"])


def test_a_file_larger_than_the_whole_quota_is_413_naming_size(me: User) -> None:
    expense = me.add()
    response = ask_ticket(me, expense["id"], QUOTA + 1)
    assert_problem(response, 413)
    assert field_of(response) == "size"


def test_tickets_stop_at_the_quota_with_507_until_a_receipt_is_deleted(
    quota_api: Api, me: User
) -> None:
    kept = [attach(quota_api, me, FILE) for _ in range(3)]
    expense = me.add()
    refused = ask_ticket(me, expense["id"], len(FILE))
    assert_problem(refused, 507)
    assert field_of(refused) == "size"
    assert "quota" in refused.json()["detail"]
    assert me.client.delete(f"/api/expenses/{kept[0]['id']}/receipt").status_code == 204
    assert ask_ticket(me, expense["id"], len(FILE)).status_code == 201


def test_the_quota_is_per_user(quota_api: Api, me: User) -> None:
    for _ in range(3):
        attach(quota_api, me, FILE)
    someone = quota_api.new_user("quota-other")
    with someone.client:
        assert ask_ticket(someone, someone.add()["id"], len(FILE)).status_code == 201


def test_confirm_counts_uploads_made_meanwhile_and_refuses_with_507_naming_file(
    quota_api: Api, me: User
) -> None:
    attach(quota_api, me, FILE)
    attach(quota_api, me, FILE)
    first, second = me.add()["id"], me.add()["id"]
    tickets = [ticket_for(me, first, size=len(FILE)), ticket_for(me, second, size=len(FILE))]
    for ticket in tickets:  # both tickets fit; both files together do not
        assert send(quota_api, ticket, FILE).status_code == 204
    answers = [confirm(me, first), confirm(me, second)]
    assert sorted(a.status_code for a in answers) == [200, 507]
    refused = next(a for a in answers if a.status_code == 507)
    assert_problem(refused, 507)
    assert field_of(refused) == "file"


def test_scan_and_import_tickets_count_against_the_quota(quota_api: Api, me: User) -> None:
    for _ in range(3):
        attach(quota_api, me, FILE)
    scan = me.client.post("/api/scans", json={"content_type": PNG, "size": len(FILE)})
    assert_problem(scan, 507)
    statement = me.client.post("/api/imports", json={"format": "csv", "size": len(FILE)})
    assert_problem(statement, 507)
    assert field_of(statement) == "size"


def test_the_local_sweep_removes_an_upload_whose_ticket_is_over(
    quota_server: RunningServer,
) -> None:
    api = socket_api(quota_server.base_url)
    user = api.new_user("sweep")
    with user.client:
        _expire_and_sweep(api, quota_server, user)


def _expire_and_sweep(api: Api, quota_server: RunningServer, user: User) -> None:
    expense = user.add()
    assert send(api, ticket_for(user, expense["id"], size=len(FILE)), FILE).status_code == 204
    pending = quota_server.data_dir / "receipts/objects/users" / user.user_id / "receipts"
    path = pending / expense["id"] / "pending"
    assert path.is_file()
    long_ago = time.time() - 3600  # an upload an hour old: its five-minute ticket is over
    os.utime(path, (long_ago, long_ago))
    deadline = time.monotonic() + 30
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not path.exists()
    assert confirm(user, expense["id"]).status_code == 409  # nothing uploaded any more


def test_fresh_uploads_survive_the_sweep(quota_server: RunningServer) -> None:
    api = socket_api(quota_server.base_url)
    user = api.new_user("sweep-fresh")
    with user.client:
        expense = user.add()
        ticket = ticket_for(user, expense["id"], size=len(FILE))
        assert send(api, ticket, FILE).status_code == 204
        time.sleep(1)  # five sweeps
        assert confirm(user, expense["id"]).status_code == 200
