"""The one error table: domain errors -> RFC 9457 problem+json responses."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ...domain import errors as e

log = logging.getLogger("expense_tracker.http")
PROBLEM_JSON = "application/problem+json"

STATUS: dict[type[e.ExpenseError], int] = {
    e.BadRequest: 400,
    e.Unauthorized: 401,
    e.Forbidden: 403,
    e.NotFound: 404,
    e.Conflict: 409,
    e.PreconditionFailed: 412,
    e.PayloadTooLarge: 413,
    e.FileTooLarge: 413,
    e.Invalid: 422,
    e.RateLimited: 429,
    e.StorageError: 503,
    e.QuotaExceeded: 507,
    e.ConfigurationError: 500,
}


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def status_of(exc: e.ExpenseError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def _expense_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.ExpenseError)
    return expense_problem(exc)


def expense_problem(exc: e.ExpenseError) -> JSONResponse:
    """The answer to a domain error (also for the fast lane, fast_reads.py)."""
    status = status_of(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, e.Unauthorized):
        # RFC 6750 section 3.1: no error code when the request had no credentials at all.
        # ... nor when the token is fine and a password given in the body is not.
        missing = isinstance(exc, e.MissingCredentials | e.WrongPassword)
        headers["WWW-Authenticate"] = "Bearer" if missing else 'Bearer error="invalid_token"'
    if isinstance(exc, e.RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if status >= 500 and not isinstance(exc, e.Invalid):  # 507 names the field, as 4xx do
        # The cause too (an adapter's error, e.g. SQLite's SQLITE_BUSY_SNAPSHOT), in one line:
        # a 503 seen once in a bench run could not be traced from its generic detail alone.
        cause, code = exc.__cause__, getattr(exc.__cause__, "sqlite_errorname", None)
        why = f" ({cause!r}{f' {code}' if code else ''})" if cause else ""
        log.error("%s: %s%s", type(exc).__name__, exc.detail, why)
        return problem(status, exc.title, "The service is unavailable; try again shortly")
    errors = None
    if isinstance(exc, e.Invalid):
        errors = [{"field": f.field, "message": f.message} for f in exc.errors]
    return problem(status, exc.title, exc.detail, errors=errors, headers=headers)


def field_name(loc: tuple[Any, ...] | list[Any], body: Any = None, missing: bool = False) -> str:
    """('body', 'amount') -> 'amount'; ('query', 'from') -> 'from'; ('body',) -> 'body'.

    A body location is followed through the body as sent, so the names pydantic gives the
    branches of a union (`category.constrained-str`, `category.none`) are left out."""
    if len(loc) < 2:
        return str(loc[0] if loc else "body")
    if loc[0] != "body":
        return ".".join(str(p) for p in loc[1:] if not isinstance(p, int))
    kept: list[str] = []
    node = body
    for part in loc[1:]:
        if isinstance(node, dict) and part in node:
            kept.append(str(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            if missing and isinstance(part, str):
                kept.append(part)  # the field that is not there
            break
    return ".".join(kept) or "body"


def _message(err: Any) -> str:
    kind = err.get("type")
    if kind == "extra_forbidden":
        return "is not a field of this resource"
    if kind == "json_invalid":
        return "is not valid JSON"
    return str(err.get("msg", "is invalid"))


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors: list[dict[str, str]] = []
    for err in exc.errors():
        loc = err.get("loc", ())
        field = field_name(loc, exc.body, missing=err.get("type") == "missing")
        if any(e["field"] == field for e in errors):
            continue  # one message a field: the first branch of a union says enough
        errors.append({"field": field, "message": _message(err)})
    detail = "; ".join(f"{x['field']}: {x['message']}" for x in errors)
    return problem(422, "Invalid input", detail, errors=errors)


OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _template(path: str) -> re.Pattern[str]:
    """`/api/expenses/{expense_id}` -> a pattern matching one concrete path."""
    parts = re.split(r"(\{[^}]+\})", path)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


def allowed_methods(request: Request) -> str | None:
    """The documented methods of the resource at this path. Starlette's 405 names only the
    first matching route's, so `/api/expenses` (GET and POST are two routes) would advertise
    one. A literal path wins over a template (`/api/expenses/export` is not an expense)."""
    paths: dict[str, dict[str, Any]] = request.app.openapi().get("paths", {})
    path = request.url.path
    item = paths.get(path) or next(
        (item for template, item in paths.items() if _template(template).fullmatch(path)), None
    )
    if item is None:
        return None
    return ", ".join(method.upper() for method in item if method in OPERATIONS)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    titles = {
        400: "Bad request",
        404: "Not found",
        405: "Method not allowed",
        408: "Request timeout",
        413: "Payload too large",
    }
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request) or headers.get("Allow", "GET")
    return problem(
        exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail), headers=headers
    )


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return problem(500, "Internal error", "Something went wrong on our side")


def install(app: FastAPI) -> None:
    app.add_exception_handler(e.ExpenseError, _expense_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
