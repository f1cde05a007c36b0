"""The app in process (Starlette's TestClient, local backend) with one signed-in user: for
tests that patch the app's insides, which a server in a subprocess would not let them do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.testclient import TestClient

from expense_tracker.config import Settings
from expense_tracker.entrypoints.http.app import create_app
from tests.support.api import PASSWORD

EMAIL = "a@example.com"


@contextmanager
def signed_in_client(tmp_path: Path) -> Iterator[TestClient]:
    """A client whose requests carry the access token of a new user, EMAIL."""
    settings = Settings(data_dir=tmp_path / "data", public_url="http://testserver")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        client.post("/api/auth/signup", json={"email": EMAIL, "password": PASSWORD})
        tokens = client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
        client.headers["Authorization"] = f"Bearer {tokens.json()['access_token']}"
        yield client
