"""The SDK's clients, made without boto3 and without the settings model: the AWS wiring and
the Lambda lane (entrypoints/lambda_lane.py, which must not load pydantic-settings) both make
theirs here, so every client is in one list (SnapStart's restore hook closes them all) and
every session shares one loader (the SDK's data files are read and parsed once)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar, cast

import botocore.loaders
import botocore.session
from botocore.client import BaseClient
from botocore.config import Config

from .errors import storage_errors

# Fail fast inside API Gateway's 30 s budget rather than hang on a stuck connection.
BASE_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10
)

# Every SDK client made here: SnapStart's restore hook drops their pooled connections.
_CLIENTS: list[BaseClient] = []
ClientT = TypeVar("ClientT")


def _made(client: ClientT) -> ClientT:
    _CLIENTS.append(cast("BaseClient", client))
    return client


def close_connections() -> None:
    """Drop the connections the clients pooled (a restored snapshot's are dead); each client
    stays usable and opens new ones on its next call."""
    for client in _CLIENTS:
        client.close()


class LazyClient:
    """Stands for an SDK client and makes it on first use (once, whichever thread is first);
    its session has the credentials already, found when the eager clients were made."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make: Callable[[], Any] | None = make
        self._client: Any = None
        self._lock = threading.Lock()

    def _real(self) -> Any:
        if self._make is not None:  # only until it is made: later calls take no lock
            with self._lock:
                if self._make is not None:
                    self._client = _made(self._make())
                    self._make = None
        return self._client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)


@cache
def _shared_loader() -> botocore.loaders.Loader:
    """The SDK's data files (service models, endpoints), read and parsed once per process."""
    return botocore.loaders.create_loader()


def _session() -> botocore.session.Session:
    session = botocore.session.get_session()
    session.register_component("data_loader", _shared_loader())
    return session


def make_client(
    region: str,
    service: str,
    endpoint: str | None,
    config: Config,
    session: botocore.session.Session | None = None,
) -> Any:
    """A client with the environment's credentials (the role's, on Lambda), as boto3 makes
    them; a new session unless given one (a session keeps the credentials it first found)."""
    session = session or _session()
    return session.create_client(service, region_name=region, endpoint_url=endpoint, config=config)


def read_secret_value(
    region: str,
    endpoint: str | None,
    secret_id: str,
    session: botocore.session.Session | None = None,
) -> str:
    client = make_client(region, "secretsmanager", endpoint, BASE_CONFIG, session)
    with storage_errors("Secrets Manager", "GetSecretValue"):
        return str(client.get_secret_value(SecretId=secret_id)["SecretString"])
