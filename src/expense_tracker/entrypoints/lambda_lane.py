"""The Lambda function's lane for the commonest plain reads (GET /api/health, a page of
/api/expenses, /api/analytics/summary): API Gateway's event (HTTP API, payload v2) in, the
answer Mangum would have given out, without FastAPI, Starlette, Mangum or pydantic-settings.
A cold start that serves one of these (most do: the page opens on them) never imports them; the
full app is built on the first request the lane does not take (lambda_handler.py).

Same answers, byte for byte (tests/aws/test_lambda_lane.py compares them with the full app's):
the same query rules as the local server's fast lane (http/read_params.py), the same principal
check and rate limit (http/principal.py), the same services and bodies, the same error table
(http/problem_parts.py) and security headers, shaped as Mangum shapes a v2 answer. Anything not
plainly the lane's (another method or path, a body, an encoded path, a query that is not plainly
valid, an unexpected failure) goes to the full app, whose routes stay the contract."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson

from ..adapters.aws.lane_wiring import LaneParts
from ..domain.errors import ExpenseError
from .http.principal import bearer_token, resolve_principal
from .http.problem_parts import PROBLEM_JSON, expense_problem_parts
from .http.read_bodies import HEALTH_BODY
from .http.read_params import READS, NotPlain, check, query_params
from .http.security_headers import API_HEADERS

HEALTH = "/api/health"
JSON = "application/json"
Answer = dict[str, Any]


def _request(event: Mapping[str, Any]) -> tuple[str, dict[str, str]] | None:
    """The path and the (lower-cased) headers of a plain GET with no body, else None."""
    context = event.get("requestContext")
    if event.get("version") != "2.0" or not isinstance(context, dict) or "elb" in context:
        return None
    http = context.get("http") or {}
    path = http.get("path")
    if http.get("method") != "GET" or event.get("body") or not isinstance(path, str):
        return None
    if "%" in path or (path != HEALTH and path not in READS):
        return None
    headers: dict[str, str] = {}
    for name, value in (event.get("headers") or {}).items():
        headers[name.lower()] = value
    if len(headers) != len(event.get("headers") or {}) or "content-length" in headers:
        return None  # names differing in case only, or a declared body: the full app's
    return path, headers


def _answer(status: int, body: bytes, content_type: str, extra: Mapping[str, str]) -> Answer:
    """As Starlette renders the response, SecurityHeaders adds its headers and Mangum shapes
    a v2 answer (lower-case names, text bodies as they are)."""
    headers = {name.lower(): value for name, value in extra.items()}
    headers.setdefault("content-length", str(len(body)))
    headers.setdefault("content-type", content_type)
    for name, value in API_HEADERS:
        headers.setdefault(name.decode(), value.decode())
    return {"statusCode": status, "body": body.decode(), "headers": headers,
            "isBase64Encoded": False}  # fmt: skip


def _problem(exc: ExpenseError) -> Answer:
    status, body, headers = expense_problem_parts(exc)
    rendered = json.dumps(body, ensure_ascii=False, allow_nan=False, indent=None,
                          separators=(",", ":")).encode()  # fmt: skip
    return _answer(status, rendered, PROBLEM_JSON, headers)


class Lane:
    def __init__(self, parts: LaneParts) -> None:
        self.parts = parts

    def answer(self, event: dict[str, Any]) -> Answer | None:
        """The answer to a request the lane takes; None for any other."""
        found = _request(event)
        if found is None:
            return None
        path, headers = found
        if path == HEALTH:
            return _answer(200, HEALTH_BODY, JSON, {})
        read, names = READS[path]
        # As Mangum builds the scope (UTF-8) and the fast lane reads it (Latin-1).
        raw = str(event.get("rawQueryString", "")).encode()
        params = query_params(raw)
        try:
            check(params, names)
        except NotPlain:
            return None
        authorization = headers.get("authorization")
        token = bearer_token(authorization.encode().decode("latin-1") if authorization else None)
        try:
            principal = resolve_principal(self.parts, {"aws.event": event}, token)
            return _answer(200, orjson.dumps(read(self.parts, principal, params)), JSON, {})
        except ExpenseError as exc:
            return _problem(exc)
        except Exception:  # noqa: BLE001 - not the lane's to answer: the full app's handlers are
            return None
