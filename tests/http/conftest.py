"""The HTTP suite runs against a real server. `api` is parametrized by backend, so the same
tests run on the local server and on the Lambda handler with AWS stand-ins.

Backends:
- "local": the app in a uvicorn subprocess (SQLite, files, the local identity provider);
- "aws": the app built by the Lambda entry point, reached through API Gateway v2 events
  (tests/support/lambda_transport.py) with the JWT authorizer's claims on protected routes,
  with DynamoDB Local, and S3 + Cognito on moto's server (tests/support/aws_stack.py). Users
  are confirmed through `Api.extras["confirm"]`. These runs carry the `aws` marker:
  `-m "not aws"` leaves them out.

A test that only makes sense on the local server but uses `api` (it needs the local upload
target, the data directory, ...) is marked `@pytest.mark.local_only`: its "aws" run is
deselected, not skipped. Tests that use `local_server` directly run on local only anyway."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.api import Api, User, socket_api
from tests.support.server import RunningServer, start_server

BACKENDS = ["local", "aws"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "local_only: the HTTP test runs on the local backend only")


@pytest.hookimpl(tryfirst=True)  # before `-m` selects: the runs on AWS carry the `aws` mark
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("api") if callspec is not None else None
        if backend == "aws" and item.get_closest_marker("local_only"):
            dropped.append(item)
            continue
        if backend == "aws":
            item.add_marker(pytest.mark.aws)
        keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    # The suite signs up hundreds of users from one address, faster than the sign-up limit
    # allows a person; that limit has its own tests and server (test_rate_limits.py).
    many = {
        "EXPENSE_TRACKER_SIGNUP_BURST_PER_CLIENT": "100000",
        "EXPENSE_TRACKER_SIGNUP_BURST_OVERALL": "100000",
    }
    server = start_server(tmp_path_factory.mktemp("server") / "data", env=many)
    yield server
    server.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def api(request: pytest.FixtureRequest) -> Api:
    if request.param == "local":
        server: RunningServer = request.getfixturevalue("local_server")
        return socket_api(server.base_url)
    if request.param == "aws":
        aws: Api = request.getfixturevalue("aws_api")
        return aws
    raise AssertionError(f"unknown backend {request.param}")


@pytest.fixture
def user(api: Api) -> Iterator[User]:
    account = api.new_user()
    yield account
    account.client.close()


@pytest.fixture
def other_user(api: Api) -> Iterator[User]:
    account = api.new_user("other")
    yield account
    account.client.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
