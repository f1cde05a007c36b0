"""The one error table's rules, framework-free: a domain error -> status, RFC 9457 body and
headers. problems.py wraps them in a Starlette response; the Lambda lane (which loads no
Starlette) renders the same parts itself, so both answer an error alike."""

from __future__ import annotations

import logging
from typing import Any

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

Parts = tuple[int, dict[str, Any], dict[str, str]]


def status_of(exc: e.ExpenseError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def problem_body(
    status: int, title: str, detail: str, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status,
                            "detail": detail}  # fmt: skip
    if errors is not None:
        body["errors"] = errors
    return body


def expense_problem_parts(exc: e.ExpenseError) -> Parts:
    """The answer to a domain error: status, body, extra headers (5xx logged, unnamed)."""
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
        return status, problem_body(status, exc.title, SERVICE_UNAVAILABLE), {}
    errors = None
    if isinstance(exc, e.Invalid):
        errors = [{"field": f.field, "message": f.message} for f in exc.errors]
    return status, problem_body(status, exc.title, exc.detail, errors), headers


SERVICE_UNAVAILABLE = "The service is unavailable; try again shortly"
