"""The one error table: domain errors -> RFC 9457 problem+json responses."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ...domain import errors as e
from .problem_parts import (
    PROBLEM_JSON,
    STATUS,
    expense_problem_parts,
    log,
    problem_body,
    status_of,
)

__all__ = ["PROBLEM_JSON", "STATUS", "install", "problem", "status_of"]


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = problem_body(status, title, detail, errors)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _expense_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.ExpenseError)
    return expense_problem(exc)


def expense_problem(exc: e.ExpenseError) -> JSONResponse:
    """The answer to a domain error (also for the fast lane, fast_reads.py)."""
    status, body, headers = expense_problem_parts(exc)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


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
