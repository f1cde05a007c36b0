"""The access log: off by default (uvicorn's own costs about a twentieth of a small request),
or one JSON object a line on stderr (`serve --access-log json`, EXPENSE_TRACKER_ACCESS_LOG).

The path is logged without its query string: queries carry search text and dates."""

from __future__ import annotations

import logging
import sys
import time
from datetime import UTC, datetime

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "expense_tracker.access"


def access_logger() -> logging.Logger:
    """Its own handler, message as is: a line is already a JSON document."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


class JsonAccessLog:
    """Pure ASGI: one line per HTTP request once its answer has been sent."""

    def __init__(self, app: ASGIApp, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.logger = logger or access_logger()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 0

        async def noting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_send)
        finally:
            self.logger.info(line(scope, status or 500, time.perf_counter() - started))


def line(scope: Scope, status: int, seconds: float) -> str:
    client = scope.get("client")
    record = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "client": client[0] if client else None,
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "ms": round(seconds * 1000, 3),
    }
    return orjson.dumps(record).decode()
