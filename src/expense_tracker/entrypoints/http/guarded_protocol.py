"""uvicorn's httptools protocol with the limits it lacks: the request head (request line and
headers) is capped in size (431 beyond it) and must arrive within a deadline, counted from
the connection's start or the previous response's end, so neither a huge header nor an idle
or trickling connection can hold the server's memory or sockets.

httptools buffers a header value until it ends, so the size is counted on the raw bytes
while the head is open, and the bytes are fed in slices that never pass the limit."""

from __future__ import annotations

import asyncio
import json
from functools import cache

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ...config import Settings


@cache
def head_limits() -> tuple[int, float]:
    """The head's size limit and deadline, read once a process (workers are processes)."""
    settings = Settings()
    return settings.max_header_bytes, settings.header_timeout_seconds


def _too_large_response(limit: int) -> bytes:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Request header fields too large",
            "status": 431,
            "detail": f"The request line and headers must be at most {limit} bytes",
        }
    ).encode()
    head = (
        "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        "content-type: application/problem+json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    _head_open = True
    _head_bytes = 0
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._open_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        limit, _ = head_limits()
        while data and not self.transport.is_closing():
            if not self._head_open:
                super().data_received(data)
                return
            room = limit - self._head_bytes + 1  # one byte over tells "too large" apart
            part, data = data[:room], data[room:]
            self._head_bytes += len(part)
            super().data_received(part)
            if self._head_open and self._head_bytes > limit:
                self._refuse_head(limit)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._head_open:  # a pipelined request: its head starts now
            self._open_head()

    def on_headers_complete(self) -> None:
        self._head_open = False
        self._cancel_deadline()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.timeout_keep_alive_task is not None:  # idle: the next head has a deadline
            self._open_head()

    def _open_head(self) -> None:
        _, timeout = head_limits()
        self._head_open, self._head_bytes = True, 0
        self._cancel_deadline()
        self._head_deadline = self.loop.call_later(timeout, self._head_too_slow)

    def _cancel_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self._head_open and not self.transport.is_closing():
            self.transport.close()

    def _refuse_head(self, limit: int) -> None:
        self._cancel_deadline()
        self.transport.write(_too_large_response(limit))
        self.transport.close()
