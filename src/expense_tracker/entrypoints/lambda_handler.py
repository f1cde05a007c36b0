"""AWS Lambda entry point: the same FastAPI app, behind API Gateway (HTTP API, payload v2).

    Handler: expense_tracker.entrypoints.lambda_handler.handler

Importing this module is cheap and loads no adapter: FastAPI, boto3 and the app are imported
and built on the first invocation, once per execution environment, and reused by every later
invocation. The settings come from the environment (EXPENSE_TRACKER_*); the backend is always
AWS, and a missing setting fails the cold start with an error naming it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..config import Settings
    from ..container import Container

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]

# Mangum base64-encodes bodies whose type is not listed here; these are text too.
TEXT_TYPES = [
    "application/json",
    "application/problem+json",
    "application/javascript",
    "application/xml",
    "application/vnd.api+json",
    "image/svg+xml",
    "text/",
]


def make_handler(settings: Settings) -> LambdaHandler:
    """The app for these settings, wrapped for Lambda (tests build theirs here)."""
    from mangum import Mangum

    from .http.app import create_app

    # Pages come from S3 behind CloudFront; lifespan "off": a Lambda is frozen, never shut down.
    app = create_app(settings, serve_pages=False)
    adapter: LambdaHandler = Mangum(app, lifespan="off", text_mime_types=TEXT_TYPES)
    return adapter


@cache
def app_handler() -> LambdaHandler:
    """Built on the first invocation, then reused for the life of the execution environment."""
    from ..config import Settings

    return make_handler(Settings(backend="aws"))


# The EventBridge schedule's input (infra/template.yaml, RecurringSchedule).
SCHEDULED_RECURRING = {"expense_tracker": "recurring"}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("expense_tracker") == SCHEDULED_RECURRING["expense_tracker"]:
        return run_scheduled_recurring()
    return app_handler()(event, context)


def run_scheduled_recurring() -> dict[str, Any]:
    """The daily run: queue the "recurring" job for every user (its work is idempotent)."""
    from ..services.recurring import trigger_recurring

    container = app_container()
    job = trigger_recurring(jobs=container.jobs, clock=container.clock)
    return {"job_id": job.id, "status": job.status}


@cache
def app_container() -> Container:
    """The wired services for scheduled runs, built once per execution environment."""
    from ..bootstrap import build_container
    from ..config import Settings

    return build_container(Settings(backend="aws"))
