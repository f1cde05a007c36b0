"""What Lambda's init phase and a cold start's first plain read load: the handler's import
builds the lane (entrypoints/lambda_lane.py) and nothing of the web framework: no FastAPI,
Starlette, pydantic, pydantic-settings or Mangum (they come with the full app, built by the
first request the lane does not take), nor what only some requests use (image, PDF and
statement libraries, the password checker, the shipped rate history, PyJWT and cryptography,
defusedxml, the job services), nor the SDK clients of services the first request does not
call. A SnapStart init builds the full app and every route into the snapshot. Checked in a
fresh interpreter, as Lambda imports the handler; no timings (the bench measures them)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from expense_tracker.entrypoints.http.route_table import areas_for
from tests.support.aws_stack import FAKE_CREDENTIALS

HEAVY = ["PIL", "pypdf", "pi_heif", "pillow_heif", "ofxtools", "zxcvbn", "currency_converter",
         "pandas", "numpy", "boto3", "s3transfer", "jwt", "cryptography", "defusedxml"]  # fmt: skip
# The full app's libraries: the lane's cold path must load none of them.
FRAMEWORK = ["fastapi", "starlette", "pydantic", "pydantic_core", "pydantic_settings", "mangum",
             "dotenv", "opentelemetry", "anyio"]  # fmt: skip
# Modules of ours the lane's cold path must not load (the full app's wiring and settings).
HTTP = "expense_tracker.entrypoints.http"
HEAVY_PARTS = [
    *(
        f"{HTTP}.{name}"
        for name in ("routes", "app", "deps", "fast_reads", "problems", "middleware")
    ),
    *(f"expense_tracker.{name}" for name in ("config", "container", "bootstrap")),
    "expense_tracker.adapters.aws.wiring",
    *(
        f"expense_tracker.services.{name}"
        for name in ("exports", "import_job", "recurring", "scans")
    ),
]
PROBE = """
import json, sys
import botocore.session
made = []
create = botocore.session.Session.create_client
def counting(self, service, **kwargs):
    made.append(service)
    return create(self, service, **kwargs)
botocore.session.Session.create_client = counting
from expense_tracker.entrypoints import lambda_handler
lane_built = lambda_handler.lane.cache_info().currsize == 1 and lambda_handler.lane() is not None
app_built = lambda_handler.app_handler.cache_info().currsize == 1
at_init = sorted(sys.modules)
clients = list(made)
# The first requests of a cold start: health, then a page (claims from the gateway, a user
# named by e-mail: no Cognito call; the table is unreachable here: 503, after the whole read).
claims = {"sub": "u1", "username": "a@example.com", "iss": ISSUER, "client_id": "client",
          "token_use": "access", "exp": "9999999999"}
def event(path):
    return {"version": "2.0", "rawPath": path, "rawQueryString": "limit=5", "headers": {},
            "requestContext": {"http": {"method": "GET", "path": path, "sourceIp": "1.2.3.4"},
                               "authorizer": {"jwt": {"claims": claims}}}, "isBase64Encoded": False}
answers = [lambda_handler.handler(event(p), None)["statusCode"]
           for p in ("/api/health", "/api/expenses")]
app = lambda_handler.app_handler().app if app_built else None
print(json.dumps({
    "lane_built": lane_built,
    "app_built": app_built,
    "at_init": at_init,
    "after_reads": sorted(sys.modules),
    "answers": answers,
    "clients": clients,
    "areas": app.lazy_routes.loaded if app else None,
    "openapi_built": app.openapi_schema is not None if app else None,
}))
"""
REGION = "eu-south-2"
LAMBDA_ENV = {
    **FAKE_CREDENTIALS,
    "AWS_LAMBDA_FUNCTION_NAME": "api",
    "AWS_DEFAULT_REGION": REGION,
    "EXPENSE_TRACKER_BACKEND": "aws",
    "EXPENSE_TRACKER_REGION": REGION,
    "EXPENSE_TRACKER_TABLE_NAME": "table",
    "EXPENSE_TRACKER_RECEIPTS_BUCKET": "receipts",
    "EXPENSE_TRACKER_USER_POOL_ID": f"{REGION}_pool",
    "EXPENSE_TRACKER_USER_POOL_CLIENT_ID": "client",
    "EXPENSE_TRACKER_SECRET_KEY": "k" * 48,  # a stand-in: no Secrets Manager to call here
    "EXPENSE_TRACKER_JOBS_QUEUE_URL": f"https://sqs.{REGION}.amazonaws.com/1/jobs",
    "EXPENSE_TRACKER_DYNAMODB_ENDPOINT_URL": "http://127.0.0.1:9",  # refused at once
}
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_pool"


def probe(**extra_env: str) -> dict[str, object]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", **LAMBDA_ENV, **extra_env}
    code = PROBE.replace("ISSUER", repr(ISSUER))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120, check=True)  # fmt: skip
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.fixture(scope="module")
def cold() -> dict[str, object]:
    return probe()


def _loaded(modules: object, names: list[str]) -> list[str]:
    assert isinstance(modules, list)
    return [m for m in modules if m.split(".")[0] in names or m.startswith(tuple(names))]


def test_the_handlers_import_builds_the_lane_and_not_the_app(cold: dict[str, object]) -> None:
    assert cold["lane_built"] is True
    assert cold["app_built"] is False


def test_a_cold_start_serves_plain_reads_on_the_lane(cold: dict[str, object]) -> None:
    assert cold["answers"] == [200, 503]  # the page was read: the table is unreachable here
    assert _loaded(cold["after_reads"], FRAMEWORK) == []


def test_init_and_the_first_reads_load_no_framework_nor_heavy_library(
    cold: dict[str, object],
) -> None:
    for modules in (cold["at_init"], cold["after_reads"]):
        assert isinstance(modules, list) and "botocore.session" in modules  # a real init
        assert "expense_tracker.entrypoints.lambda_lane" in modules
        assert _loaded(modules, FRAMEWORK) == []
        assert _loaded(modules, HEAVY) == []
        assert _loaded(modules, HEAVY_PARTS) == []


def test_init_makes_only_the_tables_client(cold: dict[str, object]) -> None:
    assert cold["clients"] == ["dynamodb"]


def test_a_snapstart_init_builds_the_app_and_every_route_into_the_snapshot() -> None:
    found = probe(AWS_LAMBDA_INITIALIZATION_TYPE="snap-start")
    assert found["lane_built"] is True and found["app_built"] is True
    assert isinstance(found["areas"], list) and "expenses" in found["areas"]
    assert len(found["areas"]) == len(areas_for("aws"))
    assert found["openapi_built"] is False
    assert found["clients"] == ["dynamodb"]  # the app shares the lane's table client
    assert "fastapi" in _loaded(found["at_init"], FRAMEWORK)


def test_without_plain_settings_init_builds_the_full_app() -> None:
    found = probe(EXPENSE_TRACKER_MAX_BODY_BYTES="2048")
    assert found["lane_built"] is False and found["app_built"] is True
    assert found["answers"] == [200, 503]
