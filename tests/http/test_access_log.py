"""The server's access log: off by default; `serve --access-log json` (or
EXPENSE_TRACKER_ACCESS_LOG=json) writes one JSON object a line, without the query string."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.support.server import running_server


def _access_lines(log: str) -> list[dict[str, object]]:
    lines = [line for line in log.splitlines() if line.startswith("{")]
    return [json.loads(line) for line in lines]


def test_the_access_log_is_off_by_default(tmp_path: Path) -> None:
    with running_server(tmp_path / "data") as server:
        assert httpx.get(f"{server.base_url}/api/health").status_code == 200
        log = server.log()
    assert "/api/health" not in log
    assert _access_lines(log) == []


def test_a_json_access_log_has_one_line_per_request_without_the_query(tmp_path: Path) -> None:
    env = {"EXPENSE_TRACKER_ACCESS_LOG": "json"}
    with running_server(tmp_path / "data", env=env) as server:
        with httpx.Client(base_url=server.base_url) as client:
            assert client.get("/api/health", params={"q": "secret-words"}).status_code == 200
            assert client.get("/api/expenses").status_code == 401
        server.stop()  # the log is complete once the server has gone
        log = server.log()
    assert "secret-words" not in log
    requests = [line for line in _access_lines(log) if line["path"] != "/api/health"]
    health = [line for line in _access_lines(log) if line["path"] == "/api/health"]
    assert {"method": "GET", "path": "/api/expenses", "status": 401}.items() <= requests[0].items()
    assert health[-1]["status"] == 200 and health[-1]["client"] == "127.0.0.1"
    assert isinstance(health[-1]["ms"], float) and str(health[-1]["time"]).endswith("Z")
