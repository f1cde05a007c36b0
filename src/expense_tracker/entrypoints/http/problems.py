"""The one error table: domain errors -> RFC 9457 problem+json responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

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
    e.Invalid: 422,
    e.RateLimited: 429,
    e.StorageError: 503,
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
    status = status_of(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, e.Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    if isinstance(exc, e.RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if status >= 500:
        log.error("%s: %s", type(exc).__name__, exc.detail)
        return problem(status, exc.title, "The service is unavailable; try again shortly")
    errors = None
    if isinstance(exc, e.Invalid):
        errors = [{"field": f.field, "message": f.message} for f in exc.errors]
    return problem(status, exc.title, exc.detail, errors=errors, headers=headers)


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'amount') -> 'amount'; ('query', 'from') -> 'from'; ('body',) -> 'body'."""
    parts = [str(p) for p in loc[1:] if not isinstance(p, int)] if len(loc) > 1 else []
    return ".".join(parts) or str(loc[0] if loc else "body")


def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        message = str(err.get("msg", "is invalid"))
        if err.get("type") == "extra_forbidden":
            message = "is not a field of this resource"
        if err.get("type") == "json_invalid":
            message = "is not valid JSON"
        errors.append({"field": field_name(err.get("loc", ())), "message": message})
    detail = "; ".join(f"{x['field']}: {x['message']}" for x in errors)
    return problem(422, "Invalid input", detail, errors=errors)


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> str:
    """Every method some route takes on this path. Starlette's 405 names only the first
    route's methods, so `/api/expenses` (GET and POST are two routes) would advertise one."""
    routes = [r for r in request.app.router.routes if not isinstance(r, Mount)]
    allowed = [
        method
        for method in METHODS
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)
    ]
    return ", ".join(allowed)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    titles = {
        400: "Bad request",
        404: "Not found",
        405: "Method not allowed",
        413: "Payload too large",
    }
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
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
