"""The HTTP suite runs against a real server. `api` is parametrized by backend, so the same
tests run on the local server and (tests/aws) on the Lambda handler with AWS stand-ins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.api import Api, User, socket_api
from tests.support.server import RunningServer, start_server

BACKENDS = ["local"]


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(tmp_path_factory.mktemp("server") / "data")
    yield server
    server.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def api(request: pytest.FixtureRequest) -> Api:
    if request.param == "local":
        server: RunningServer = request.getfixturevalue("local_server")
        return socket_api(server.base_url)
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
