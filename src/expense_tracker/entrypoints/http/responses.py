"""JSON answers serialised once, by orjson, for the routes on the hot path.

FastAPI validates a route's return value against its `response_model` and then serialises it;
a route that returns a Response skips both. The routes that do so build their body from domain
objects that are already valid and in exactly the model's shape (services.transfer.public_record
and the like), and keep `response_model` for the OpenAPI document only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

JSON = "application/json"


class OrjsonResponse(Response):
    """Like Starlette's JSONResponse (compact UTF-8), rendered by orjson."""

    media_type = JSON

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def json_response(
    content: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> OrjsonResponse:
    return OrjsonResponse(content, status_code=status_code, headers=headers)
