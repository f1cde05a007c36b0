"""Pure ASGI middleware: security headers on every response, request body limits, and no
repeated keys in a JSON body (the body's deadline is in body_deadline.py)."""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .security_headers import API_CSP, API_HEADERS, PAGE_CSP, PAGE_HEADERS

__all__ = ["API_CSP", "PAGE_CSP", "SecurityHeaders"]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = scope["path"].startswith(("/api", "/.well-known"))
        ours = API_HEADERS if is_api else PAGE_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in ours if h[0] not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of a request header (names are lower case in ASGI), without building
    a dict of them all per request."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


class BodyRefused(HTTPException):
    """Raised from `receive` while a body streams in; an HTTPException so FastAPI's body
    parsing passes it on to the problem+json handler instead of turning it into a 400. The
    connection is closed after the answer: the rest of the body is never read."""

    title = "Error"

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(status, detail, headers={"Connection": "close"})

    async def answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        """For middleware that reads the body before the app's error handlers can."""
        body = {"type": "about:blank", "title": self.title, "status": self.status_code,
                "detail": self.detail}  # fmt: skip
        response = JSONResponse(
            body,
            status_code=self.status_code,
            media_type="application/problem+json",
            headers=self.headers,
        )
        await response(scope, receive, send)


class BodyTooLarge(BodyRefused):
    title = "Payload too large"

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body must be at most {limit} bytes")
        self.limit = limit


class BodyLimit:
    """Refuse bodies over the limit for their path: by Content-Length before reading, and by
    counting while streaming (a chunked body has no Content-Length). Never buffers."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(scope, receive, send, limit)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting_receive, send)


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    await BodyTooLarge(limit).answer(scope, receive, send)


class DuplicateKeys:
    """Refuse a JSON body that gives a key twice (422 naming it): parsers disagree on which
    value wins, so a check and a later use could see different ones. The body is read once
    here (its size is already limited) and handed on unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        body, more = bytearray(), True
        while more:
            try:
                message = await receive()
            except BodyRefused as refused:  # outside the app's error handlers: answer here
                await refused.answer(scope, receive, send)
                return
            if message["type"] != "http.request":
                await self.app(scope, _replay(b"", message), send)
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        repeated = _repeated_key(bytes(body))
        if repeated is not None:
            await _duplicate_key(scope, receive, send, repeated)
            return
        await self.app(scope, _replay(bytes(body), None), send)


def _is_json(scope: Scope) -> bool:
    content_type = header(scope, b"content-type") or b""
    kind = content_type.split(b";")[0].strip().lower()
    return kind == b"application/json" or kind.endswith(b"+json")


class _Repeated(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_repeats(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise _Repeated(key)
        seen[key] = value
    return seen


# Made once: json.loads with a hook builds a new decoder on every call.
_NO_REPEATS = json.JSONDecoder(object_pairs_hook=_no_repeats)


def _repeated_key(body: bytes) -> str | None:
    try:
        # As json.loads reads bytes: UTF-8, -16 or -32, by the first bytes.
        _NO_REPEATS.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
    except _Repeated as repeated:
        return repeated.key
    except ValueError:  # not JSON at all: the route says so in its own words
        return None
    return None


def _replay(body: bytes, first: Message | None) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if first is not None:
            return first
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _duplicate_key(scope: Scope, receive: Receive, send: Send, key: str) -> None:
    message = "is given more than once"
    body = {
        "type": "about:blank",
        "title": "Invalid input",
        "status": 422,
        "detail": f"{key}: {message}",
        "errors": [{"field": key, "message": message}],
    }
    response = JSONResponse(body, status_code=422, media_type="application/problem+json")
    await response(scope, receive, send)
