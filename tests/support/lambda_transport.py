"""An httpx transport that plays API Gateway (HTTP API, payload format 2.0) in front of a Lambda
handler: each request to the API's host becomes the event API Gateway would send, the handler's
answer becomes the HTTP response. Requests to any other host (the presigned S3 URLs of moto)
go over the network as usual.

It keeps the limits that would bite in production: an event over Lambda's 6 MB invocation
payload gets API Gateway's 413, a result over 6 MB its 500. It can also play the JWT authorizer:
`claims_for(request)` returns the claims API Gateway would put in the request context."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
ClaimsFor = Callable[[httpx.Request], dict[str, Any] | None]

LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024
TEXT_TYPES = ("text/", "application/json", "application/problem+json", "application/x-www-form")
_HOP_BY_HOP = {"connection", "transfer-encoding", "keep-alive", "upgrade", "te", "cookie"}


@dataclass
class FakeContext:
    """The parts of the Lambda context object an ASGI adapter may read."""

    function_name: str = "expense-tracker-api"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:expense-tracker"
    log_group_name: str = "/aws/lambda/expense-tracker-api"
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _headers_and_cookies(request: httpx.Request, body: bytes) -> tuple[dict[str, str], list[str]]:
    """API Gateway joins repeated headers with commas and passes cookies apart."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers.multi_items():
        lower = name.lower()
        if lower == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
        elif lower not in _HOP_BY_HOP:
            headers[lower] = f"{headers[lower]},{value}" if lower in headers else value
    if body or request.method in ("POST", "PUT", "PATCH"):
        headers["content-length"] = str(len(body))  # the gateway has read the whole body
    headers.update({"x-forwarded-proto": "https", "x-forwarded-port": "443"})
    headers.setdefault("x-forwarded-for", "127.0.0.1")
    return headers, cookies


def _is_text(content_type: str) -> bool:
    return any(content_type.startswith(t) for t in TEXT_TYPES)


def _encoded_body(body: bytes, content_type: str) -> tuple[str, bool]:
    """Text as it is; anything else (or text that is not UTF-8) base64-encoded."""
    if _is_text(content_type):
        try:
            return body.decode(), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode(), True


def _request_context(
    request: httpx.Request, headers: dict[str, str], claims: dict[str, Any] | None
) -> dict[str, Any]:
    now = time.time()
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "testapi",
        "domainName": request.url.host,
        "domainPrefix": request.url.host.split(".")[0],
        "http": {
            "method": request.method,
            "path": request.url.raw_path.split(b"?")[0].decode(),
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": uuid.uuid4().hex,
        "routeKey": "$default",
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return context


def to_event(request: httpx.Request, claims: dict[str, Any] | None) -> dict[str, Any]:
    body = request.read()
    headers, cookies = _headers_and_cookies(request, body)
    context = _request_context(request, headers, claims)
    body_text, encoded = _encoded_body(body, headers.get("content-type", ""))
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": context["http"]["path"],
        "rawQueryString": request.url.query.decode(),
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": encoded,
    }
    params: dict[str, str] = {}
    for key, value in request.url.params.multi_items():
        params[key] = f"{params[key]},{value}" if key in params else value
    if params:
        event["queryStringParameters"] = params
    if cookies:
        event["cookies"] = cookies
    if body:
        event["body"] = body_text
    return event


def to_response(result: dict[str, Any], request: httpx.Request) -> httpx.Response:
    raw = result.get("body", "")
    content = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
    headers = [(k, v) for k, v in (result.get("headers") or {}).items()]
    headers += [("set-cookie", c) for c in result.get("cookies") or []]
    return httpx.Response(result["statusCode"], headers=headers, content=content, request=request)


def _gateway_error(status: int, message: str, request: httpx.Request) -> httpx.Response:
    return httpx.Response(status, json={"message": message}, request=request)


class LambdaTransport(httpx.BaseTransport):
    def __init__(
        self, handler: LambdaHandler, host: str, claims_for: ClaimsFor | None = None
    ) -> None:
        self._handler = handler
        self._host = host
        self._claims_for = claims_for
        self._network = httpx.HTTPTransport()
        # The handler runs on a thread of its own, as on Lambda's runtime: the test's thread
        # may already run an event loop (Playwright's sync API does), and Mangum needs its own.
        self._loop = asyncio.new_event_loop()
        self._runtime = ThreadPoolExecutor(
            max_workers=1,
            thread_name_prefix="lambda-runtime",
            initializer=asyncio.set_event_loop,
            initargs=(self._loop,),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != self._host:
            return self._network.handle_request(request)
        claims = self._claims_for(request) if self._claims_for else None
        event = to_event(request, claims)
        if len(json.dumps(event)) > LAMBDA_PAYLOAD_LIMIT:
            return _gateway_error(413, "Request Entity Too Large", request)
        result = self._runtime.submit(self._handler, event, FakeContext()).result()
        if len(json.dumps(result)) > LAMBDA_PAYLOAD_LIMIT:
            return _gateway_error(500, "Internal Server Error", request)
        return to_response(result, request)

    def close(self) -> None:
        self._network.close()
        self._runtime.shutdown(wait=True)
        self._loop.close()


def bearer_token(request: httpx.Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None
