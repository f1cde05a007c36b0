"""AWS Lambda entry point: the same FastAPI app, behind API Gateway (HTTP API, payload v2).

    Handler: expense_tracker.entrypoints.lambda_handler.handler

On Lambda (AWS_LAMBDA_FUNCTION_NAME is set) the lane (lambda_lane.py) is built when Lambda
imports this module, in the init phase: the table's client and the cursor secret (Secrets
Manager) are ready before the first request, once per execution environment. The lane answers
the commonest plain reads without FastAPI; the full app (FastAPI behind Mangum, built around
the lane's client, secret and rate limits) is built by the first request the lane does not
take, and reused by every invocation. When the settings are not plainly the lane's, or for
the job worker, init builds the full app as before. Anywhere else importing it is cheap and
builds nothing (the tests build their own app with `make_handler`). The settings come from
the environment (EXPENSE_TRACKER_*); the backend is always AWS. A build that fails at init (a
missing setting) is tried again by the first invocation, whose error names what is missing.

With SnapStart (infra/template.yaml) Lambda snapshots the environment after this init and
restores copies of it: `refresh_after_restore` makes again what must not be shared by them."""

from __future__ import annotations

import importlib
import os
import random
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from ..domain.errors import ExpenseError

if TYPE_CHECKING:
    from ..config import Settings
    from ..container import Container
    from .lambda_lane import Lane

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
# A job's slice stops this long before the invocation's timeout (its last chunk, the checkpoint).
SLICE_MARGIN_SECONDS = 5.0

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


def make_handler(settings: Settings, container: Container | None = None) -> LambdaHandler:
    """The app for these settings, wrapped for Lambda (tests build theirs here)."""
    from mangum import Mangum

    from .http.app import create_app

    # Pages come from S3 behind CloudFront; lifespan "off": a Lambda is frozen, never shut down.
    app = create_app(settings, container, serve_pages=False, lazy_routes=True)
    adapter: LambdaHandler = Mangum(app, lifespan="off", text_mime_types=TEXT_TYPES)
    return adapter


@cache
def app_handler() -> LambdaHandler:
    """Built on the first request the lane does not take (or at init without a lane), then
    reused for the life of the execution environment."""
    from ..config import Settings

    settings = Settings(backend="aws")
    return make_handler(settings, full_container(settings, lane()))


@cache
def lane() -> Lane | None:
    """The lane, when the settings are plainly its own (settings_fields.py); else None."""
    from ..settings_fields import lane_settings

    found = lane_settings(os.environ)
    if found is None:
        return None
    from ..adapters.aws.lane_wiring import build_lane
    from .lambda_lane import Lane

    return Lane(build_lane(found))


def full_container(settings: Settings, made: Lane | None) -> Container:
    """The full app's container, around the lane's table client, secret, identity and rate
    limits when there is a lane (a user's burst is one burst, whichever answers)."""
    from ..bootstrap import build_container, job_handlers

    if made is None:
        return build_container(settings)
    from ..adapters.aws.wiring import AwsClients, build_aws_container

    parts = made.parts
    clients = AwsClients.create(settings, dynamodb=parts.dynamodb)
    container = build_aws_container(settings, clients, secret=parts.secret, identity=parts.identity)
    container.request_limits = parts.request_limits
    container.jobs.bind(job_handlers(container))
    return container


# The EventBridge schedule's input (infra/template.yaml, RecurringSchedule).
SCHEDULED_RECURRING = {"expense_tracker": "recurring"}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("expense_tracker") == SCHEDULED_RECURRING["expense_tracker"]:
        return run_scheduled_recurring()
    fast = lane()
    answer = fast.answer(event) if fast is not None else None
    return answer if answer is not None else app_handler()(event, context)


def make_worker(settings: Settings) -> LambdaHandler:
    """The jobs queue's consumer for these settings (tests build theirs here)."""
    from ..adapters.aws.sqs_jobs import SqsJobs, handle_batch
    from ..bootstrap import build_container

    jobs = build_container(settings).jobs
    if not isinstance(jobs, SqsJobs):
        from ..domain.errors import ConfigurationError

        raise ConfigurationError("The job worker needs EXPENSE_TRACKER_JOBS_QUEUE_URL")

    def worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        if remaining is None:  # no Lambda context (a test's direct call): the slice's budget
            return handle_batch(jobs, event)
        return handle_batch(jobs, event, lambda: remaining() / 1000 - SLICE_MARGIN_SECONDS)

    return worker


@cache
def worker_handler() -> LambdaHandler:
    from ..config import Settings

    return make_worker(Settings(backend="aws"))


def job_worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handler: expense_tracker.entrypoints.lambda_handler.job_worker (SQS batches, with
    partial batch failures reported)."""
    return worker_handler()(event, context)


def refresh_rates(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handler: expense_tracker.entrypoints.lambda_handler.refresh_rates (RatesSchedule, daily):
    the ECB's newest rates into the table. A failure is logged and left to the next day."""
    del event, context
    from ..adapters.aws.dynamodb_rates import refresh_stored_rates, url_fetcher
    from ..adapters.aws.wiring import rates_target
    from ..config import Settings

    table, url = rates_target(Settings(backend="aws"))
    return {"days": refresh_stored_rates(url_fetcher(url), table)}


WORKER_HANDLER = "expense_tracker.entrypoints.lambda_handler.job_worker"


def build_at_init(environ: Mapping[str, str] = os.environ) -> bool:
    """Build what this function runs now if this is Lambda's init phase; False when it failed
    or is not. `_HANDLER` (set by Lambda) tells the two functions apart: the job worker builds
    its container and the queue's consumer, never the FastAPI app it does not serve."""
    if not environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return False
    try:
        if environ.get("_HANDLER") == WORKER_HANDLER:
            worker_handler()
        elif environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
            include_every_route(app_handler())  # the lane too: app_handler builds it first
        elif lane() is None:
            app_handler()
    except ExpenseError:  # not cached: the first invocation raises it again, with its message
        return False
    register_after_restore(refresh_after_restore)
    return True


def include_every_route(handler: LambdaHandler) -> None:
    """SnapStart's init runs once per published version: the snapshot then holds every route
    already built, and no restored copy builds one (a plain cold start builds an area's
    routes on its first request instead: only that one's)."""
    from .http.lazy_routes import LazyApp

    app = getattr(handler, "app", None)
    if isinstance(app, LazyApp) and app.lazy_routes is not None:
        app.lazy_routes.include_all()


def refresh_after_restore() -> None:
    """SnapStart runs this in every execution environment restored from the snapshot: what was
    made at init is shared by all of them, so what must differ is made again. The jitter of
    the retry backoffs gets a fresh seed (else restored copies retry in step), and the SDK's
    pooled connections, opened at init and long dead, are dropped (new ones open on use)."""
    random.seed()
    from ..adapters.aws.wiring import close_connections

    close_connections()


def register_after_restore(hook: Callable[[], None]) -> bool:
    """The Lambda runtime's SnapStart hook registry (`snapshot_restore_py`, on the runtime's
    path from Python 3.12); outside Lambda, or without SnapStart, there is nothing to do."""
    try:
        runtime_hooks = importlib.import_module("snapshot_restore_py")
    except ImportError:
        return False
    runtime_hooks.register_after_restore(hook)
    return True


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


build_at_init()
