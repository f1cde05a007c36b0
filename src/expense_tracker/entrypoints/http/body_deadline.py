"""A deadline for request bodies, in whatever server runs the app (the head's deadline is the
local server's protocol's, guarded_protocol.py): after a grace period the body must keep
arriving at a minimum average rate, and no gap between its chunks may pass the grace. A body
trickled slower (a slowloris on the body) gets 408 and its connection is closed.

Only the body is timed: once its last chunk is in, `receive` is passed through untouched (a
streaming answer waits on it for the client's disconnect, as long as it takes)."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .middleware import BodyRefused


class BodyTooSlow(BodyRefused):
    title = "Request timeout"

    def __init__(self) -> None:
        super().__init__(408, "The request body arrived too slowly")


class BodyDeadline:
    def __init__(self, app: ASGIApp, grace_seconds: float, min_bytes_per_second: int) -> None:
        self.app = app
        self.grace = grace_seconds
        self.rate = min_bytes_per_second

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        start, received, more = loop.time(), 0, True

        async def timed_receive() -> Message:
            nonlocal received, more
            if not more:
                return await receive()
            # The next byte is due when the average since the start would fall below the rate.
            due = start + self.grace + (received + 1) / self.rate
            wait = min(self.grace, due - loop.time())
            try:
                message = await asyncio.wait_for(receive(), timeout=max(wait, 0.001))
            except TimeoutError:
                raise BodyTooSlow() from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                more = bool(message.get("more_body", False))
            return message

        await self.app(scope, timed_receive, send)
