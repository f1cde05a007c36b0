"""What Lambda's init phase loads: the handler's import builds the app, and must not load what
only some requests use (image, PDF and statement libraries, the password checker, the shipped
rate history, PyJWT and cryptography, defusedxml, the job services, pydantic.v1), nor
build any area's routes (the first request builds its own), nor make the SDK clients of
services the first request does not call. Checked in a fresh interpreter, as Lambda imports
the handler; no timings (the bench measures them)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from expense_tracker.entrypoints.http.route_table import areas_for
from tests.support.aws_stack import FAKE_CREDENTIALS

HEAVY = ["PIL", "pypdf", "pi_heif", "pillow_heif", "ofxtools", "zxcvbn", "currency_converter",
         "pandas", "numpy", "boto3", "s3transfer", "jwt", "cryptography", "defusedxml"]  # fmt: skip
# Modules inside packages init needs (pydantic, expense_tracker) that it must not load.
HEAVY_PARTS = ["pydantic.v1", "expense_tracker.entrypoints.http.routes",
               "expense_tracker.services.exports", "expense_tracker.services.import_job",
               "expense_tracker.services.recurring", "expense_tracker.services.scans"]  # fmt: skip
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
app = lambda_handler.app_handler().app
print(json.dumps({
    "built_at_init": lambda_handler.app_handler.cache_info().misses == 1,
    "modules": sorted({name.split(".")[0] for name in sys.modules}),
    "all_modules": sorted(sys.modules),
    "areas": app.lazy_routes.loaded,
    "clients": made,
    "openapi_built": app.openapi_schema is not None,
}))
"""
LAMBDA_ENV = {
    **FAKE_CREDENTIALS,
    "AWS_LAMBDA_FUNCTION_NAME": "api",
    "AWS_DEFAULT_REGION": "eu-south-2",
    "EXPENSE_TRACKER_BACKEND": "aws",
    "EXPENSE_TRACKER_REGION": "eu-south-2",
    "EXPENSE_TRACKER_TABLE_NAME": "table",
    "EXPENSE_TRACKER_RECEIPTS_BUCKET": "receipts",
    "EXPENSE_TRACKER_USER_POOL_ID": "eu-south-2_pool",
    "EXPENSE_TRACKER_USER_POOL_CLIENT_ID": "client",
    "EXPENSE_TRACKER_SECRET_KEY": "k" * 48,  # a stand-in: no Secrets Manager to call here
    "EXPENSE_TRACKER_JOBS_QUEUE_URL": "https://sqs.eu-south-2.amazonaws.com/1/jobs",
}


def probe(**extra_env: str) -> dict[str, object]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", **LAMBDA_ENV, **extra_env}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                          text=True, timeout=120, check=True)  # fmt: skip
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.fixture(scope="module")
def init() -> dict[str, object]:
    return probe()


def test_the_handlers_import_builds_the_app(init: dict[str, object]) -> None:
    assert init["built_at_init"] is True


def test_init_loads_none_of_the_libraries_only_some_requests_use(init: dict[str, object]) -> None:
    modules = init["modules"]
    assert isinstance(modules, list)
    assert "fastapi" in modules and "botocore" in modules  # the probe saw a real init
    assert [name for name in HEAVY if name in modules] == []
    loaded = init["all_modules"]
    assert isinstance(loaded, list) and "pydantic.main" in loaded
    assert [m for m in loaded if m.startswith(tuple(HEAVY_PARTS))] == []


def test_init_builds_no_routes(init: dict[str, object]) -> None:
    assert init["areas"] == []


def test_a_snapstart_init_builds_every_route_into_the_snapshot() -> None:
    found = probe(AWS_LAMBDA_INITIALIZATION_TYPE="snap-start")
    assert found["built_at_init"] is True
    assert isinstance(found["areas"], list) and "expenses" in found["areas"]
    assert len(found["areas"]) == len(areas_for("aws"))
    assert found["openapi_built"] is False


def test_init_makes_only_the_tables_client_and_no_openapi_document(
    init: dict[str, object],
) -> None:
    assert init["clients"] == ["dynamodb"]
    assert init["openapi_built"] is False
