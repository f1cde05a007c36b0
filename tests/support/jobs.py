"""Polling a job's status resource until it has finished, as a client does.

Locally a worker thread runs jobs beside the requests, so a job is usually still queued or
running right after it was started; on the AWS test backend the worker drains the queue after
each request. The wait is bounded so a stuck job fails the test instead of hanging it."""

from __future__ import annotations

import time
from typing import Any

import httpx

FINISHED = {"done", "failed"}
PATIENCE_SECONDS = 120.0


def wait_for_job(client: httpx.Client, path: str) -> dict[str, Any]:
    """GET `path` until its `status` is done or failed; the last body."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    delay = 0.02
    while True:
        response = client.get(path)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] in FINISHED:
            return body
        assert time.monotonic() < deadline, f"{path} still {body['status']}: {body}"
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
