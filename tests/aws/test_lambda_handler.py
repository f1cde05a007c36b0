"""The Lambda entry point: what it loads, when it builds the app, how it fails to start, and
how it uses the claims of API Gateway's JWT authorizer."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from expense_tracker.adapters.aws import wiring as aws_wiring
from expense_tracker.config import Settings
from expense_tracker.entrypoints import lambda_handler
from expense_tracker.entrypoints.lambda_handler import make_handler
from tests.aws.cognito_helpers import access_claims, moto_signed
from tests.contract.factories import make_expense, new_user
from tests.support.api import Api, User
from tests.support.aws_stack import API_HOST, AwsStack, gateway_authorizer, lambda_api
from tests.support.lambda_transport import FakeContext, to_event

pytestmark = pytest.mark.aws

REPO_ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_PREFIXES = ("expense_tracker.adapters.sqlite", "expense_tracker.adapters.local_")
# Loaded on the first invocation, not on import: the init phase stays short.
HEAVY = ("boto3", "botocore", "fastapi", "mangum", "expense_tracker.adapters.aws.wiring")

COLD_START = """
import json, sys
from expense_tracker.entrypoints.lambda_handler import app_handler, handler, lane
from tests.support.lambda_transport import FakeContext
BUILT = app_handler.cache_info().currsize == 1 or (
    lane.cache_info().currsize == 1 and lane() is not None)
answers = []
for event in json.load(sys.stdin):
    try:
        answers.append(handler(event, FakeContext()))
    except Exception as exc:
        answers.append({"error": type(exc).__name__, "detail": str(exc)})
print(json.dumps({"answers": answers, "modules": sorted(sys.modules), "built_at_import": BUILT}))
"""


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as the Lambda's environment variables."""
    values = settings.model_dump(exclude_defaults=True, mode="json")
    env = {f"EXPENSE_TRACKER_{name.upper()}": str(value) for name, value in values.items()}
    if settings.secret_key is not None:
        env["EXPENSE_TRACKER_SECRET_KEY"] = settings.secret_key.get_secret_value()
    return env


def cold_start(env: dict[str, str], events: list[dict[str, Any]]) -> dict[str, Any]:
    """A fresh interpreter, as a new execution environment: invoke `handler` with each event."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EXPENSE_TRACKER_")}
    done = subprocess.run(
        [sys.executable, "-c", COLD_START],
        input=json.dumps(events),
        env={**clean, **env},
        cwd=REPO_ROOT,  # the script imports tests.support
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture
def user(aws_api: Api) -> Iterator[User]:
    account = aws_api.new_user("lambda")
    yield account
    account.client.close()


def event(path: str, token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return to_event(httpx.Request("GET", f"https://{API_HOST}{path}", headers=headers), None)


def test_importing_the_handler_loads_no_local_adapter_and_nothing_heavy() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys, expense_tracker.entrypoints.lambda_handler as h;"
            "assert callable(h.handler); print(json.dumps(sorted(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    modules = json.loads(done.stdout)
    assert "expense_tracker.entrypoints.lambda_handler" in modules
    assert [m for m in modules if m.startswith(FORBIDDEN_PREFIXES)] == []
    assert [m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY] == []


def test_a_cold_start_serves_requests_and_never_loads_a_local_adapter(
    aws_stack: AwsStack, aws_api: Api, user: User
) -> None:
    result = cold_start(
        settings_env(aws_stack.settings()),
        [event("/api/health"), event("/api/me", user.access_token)],
    )
    health, me = result["answers"]
    assert health["statusCode"] == 200, health
    assert me["statusCode"] == 200, me
    assert json.loads(me["body"])["user_id"] == user.user_id
    assert "expense_tracker.adapters.aws.wiring" in result["modules"]
    assert [m for m in result["modules"] if m.startswith(FORBIDDEN_PREFIXES)] == []


def test_on_lambda_the_app_is_built_at_init_when_the_module_is_imported(
    aws_stack: AwsStack, user: User
) -> None:
    """Lambda imports the handler module in its init phase (AWS_LAMBDA_FUNCTION_NAME is set
    there), before any request: the lane (or, without one, the app) is built then; a request
    the lane does not take builds the full app around it."""
    env = {**settings_env(aws_stack.settings()), "AWS_LAMBDA_FUNCTION_NAME": "api"}
    result = cold_start(env, [event("/api/me", user.access_token)])
    assert result["built_at_import"] is True
    assert result["answers"][0]["statusCode"] == 200
    # Pillow and pi-heif wait for the first receipt: init does not pay for them; the clients
    # are botocore's, without boto3's session and s3transfer.
    unused = ("PIL", "pi_heif", "boto3", "s3transfer")
    assert [m for m in result["modules"] if m.split(".")[0] in unused] == []


def test_a_failed_build_at_init_is_named_by_the_first_invocation() -> None:
    result = cold_start({"AWS_LAMBDA_FUNCTION_NAME": "api"}, [event("/api/health")])
    assert result["built_at_import"] is False
    (answer,) = result["answers"]
    assert answer["error"] == "ConfigurationError"
    assert "EXPENSE_TRACKER_TABLE_NAME" in answer["detail"]


def test_a_cold_start_without_settings_names_every_missing_one() -> None:
    result = cold_start({}, [event("/api/health")])
    (answer,) = result["answers"]
    assert answer["error"] == "ConfigurationError"
    for name in (
        "REGION",
        "TABLE_NAME",
        "RECEIPTS_BUCKET",
        "USER_POOL_ID",
        "USER_POOL_CLIENT_ID",
        "SECRET_ARN",
    ):
        assert f"EXPENSE_TRACKER_{name}" in answer["detail"]


def test_a_cold_start_with_some_settings_names_only_the_missing_ones(
    aws_stack: AwsStack,
) -> None:
    env = settings_env(aws_stack.settings())
    del env["EXPENSE_TRACKER_TABLE_NAME"]
    (answer,) = cold_start(env, [event("/api/health")])["answers"]
    assert answer["error"] == "ConfigurationError"
    assert "EXPENSE_TRACKER_TABLE_NAME" in answer["detail"]
    assert "EXPENSE_TRACKER_REGION" not in answer["detail"]


@pytest.fixture
def fresh_handler_cache() -> Iterator[None]:
    lambda_handler.app_handler.cache_clear()
    lambda_handler.lane.cache_clear()
    yield
    lambda_handler.app_handler.cache_clear()
    lambda_handler.lane.cache_clear()


def test_the_app_and_its_clients_are_built_once_per_environment(
    aws_stack: AwsStack, monkeypatch: pytest.MonkeyPatch, fresh_handler_cache: None
) -> None:
    for name, value in settings_env(aws_stack.settings()).items():
        monkeypatch.setenv(name, value)
    made: list[str] = []
    create = aws_wiring.AwsClients.create

    def counting_create(settings: Settings, dynamodb: Any = None) -> aws_wiring.AwsClients:
        made.append(settings.table_name)
        return create(settings, dynamodb)

    monkeypatch.setattr(aws_wiring.AwsClients, "create", counting_create)
    # Health is the lane's, the document the full app's: each is built once.
    paths = ["/api/health", "/api/openapi.json"] * 3
    answers = [lambda_handler.handler(event(path), FakeContext()) for path in paths]
    assert [a["statusCode"] for a in answers] == [200] * 6
    assert made == [aws_stack.table]
    assert lambda_handler.lane.cache_info().currsize == 1


# API Gateway's JWT authorizer


def gateway_api(aws_stack: AwsStack, claims: dict[str, Any] | None) -> Api:
    handler = make_handler(aws_stack.settings())
    return lambda_api(handler, aws_stack, lambda _request: claims)


def me_with(api: Api, token: str | None = None) -> httpx.Response:
    with api.client(token) as client:
        return client.get("/api/me")


def test_verified_claims_are_used_without_checking_a_token_again(
    aws_stack: AwsStack, user: User
) -> None:
    claims = access_claims(aws_stack.pool, user.user_id)
    response = me_with(gateway_api(aws_stack, stringified(claims)))  # no Authorization header
    assert response.status_code == 200, response.text
    assert (response.json()["user_id"], response.json()["email"]) == (user.user_id, user.email)


@pytest.mark.parametrize(
    "changes",
    [
        {"token_use": "id", "aud": "client"},
        {"client_id": "another-client"},
        {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"},
        {"exp": "1"},
    ],
    ids=["id-token", "other-client", "other-pool", "expired"],
)
def test_claims_that_are_not_this_deployments_access_token_are_refused(
    aws_stack: AwsStack, user: User, changes: dict[str, Any]
) -> None:
    """API Gateway's authorizer lets an ID token through (its audience matches): not the app."""
    claims = {**access_claims(aws_stack.pool, user.user_id), **changes}
    response = me_with(gateway_api(aws_stack, stringified(claims)), user.access_token)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_without_claims_the_token_is_verified_by_the_app(aws_stack: AwsStack, user: User) -> None:
    api = gateway_api(aws_stack, None)
    assert me_with(api, user.access_token).status_code == 200
    forged = moto_signed(access_claims(aws_stack.pool, user.user_id, exp=1))
    assert me_with(api, forged).status_code == 401


def test_without_claims_or_a_token_the_request_is_refused(aws_stack: AwsStack) -> None:
    response = me_with(gateway_api(aws_stack, None))
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")


def stringified(claims: dict[str, Any]) -> dict[str, str]:
    """API Gateway passes every claim on as a string."""
    return {name: str(value) for name, value in claims.items()}


def test_the_suites_gateway_passes_claims_only_for_valid_tokens_on_protected_routes(
    aws_stack: AwsStack, user: User
) -> None:
    """The HTTP suite's "aws" runs go through the claims path whenever the real gateway would."""
    authorizer = gateway_authorizer(aws_stack)

    def claims(method: str, path: str, token: str) -> dict[str, Any] | None:
        headers = {"Authorization": f"Bearer {token}"}
        return authorizer(httpx.Request(method, f"https://{API_HOST}{path}", headers=headers))

    passed = claims("GET", "/api/me", user.access_token)
    assert passed is not None
    assert (passed["sub"], passed["token_use"]) == (user.user_id, "access")
    assert all(isinstance(value, str) for value in passed.values())
    assert claims("POST", "/api/auth/refresh", user.access_token) is None  # a public route
    forged = moto_signed(access_claims(aws_stack.pool, user.user_id, exp=1))
    assert claims("GET", "/api/me", forged) is None


def test_the_gateway_transport_works_while_the_callers_thread_runs_an_event_loop(
    aws_api: Api,
) -> None:
    # Playwright's sync API keeps a loop running in the test's thread; the handler must still
    # get a loop of its own, as it does on Lambda's runtime thread.
    async def health_inside_a_running_loop() -> int:
        with aws_api.client() as client:
            return client.get("/api/health").status_code

    # Not asyncio.run: it would unset the thread's current loop, which Mangum created.
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(health_inside_a_running_loop()) == 200
    finally:
        loop.close()


WORKER_START = """
import json, sys
from expense_tracker.entrypoints import lambda_handler as h
print(json.dumps({"app": h.app_handler.cache_info().currsize,
                  "worker": h.worker_handler.cache_info().currsize,
                  "modules": sorted(sys.modules)}))
"""


def test_the_worker_function_builds_only_the_worker_at_init(aws_stack: AwsStack) -> None:
    """Lambda names the handler in `_HANDLER`: the worker never builds the FastAPI app."""
    env = {
        **settings_env(aws_stack.settings()),
        "AWS_LAMBDA_FUNCTION_NAME": "worker",
        "_HANDLER": lambda_handler.WORKER_HANDLER,
    }
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EXPENSE_TRACKER_")}
    done = subprocess.run(
        [sys.executable, "-c", WORKER_START],
        env={**clean, **env},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout)
    assert (result["app"], result["worker"]) == (0, 1)
    assert [m for m in result["modules"] if m.split(".")[0] in ("fastapi", "mangum")] == []
    assert "expense_tracker.entrypoints.http.app" not in result["modules"]


class RuntimeHooks:
    """Stands in for the Lambda runtime's `snapshot_restore_py` module."""

    def __init__(self) -> None:
        self.after_restore: list[Any] = []

    def register_after_restore(self, hook: Any) -> None:
        self.after_restore.append(hook)


def test_a_build_at_init_registers_the_snapstart_restore_hook(
    aws_stack: AwsStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = RuntimeHooks()
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", hooks)
    monkeypatch.setattr(lambda_handler, "app_handler", lambda: None)
    assert lambda_handler.build_at_init({"AWS_LAMBDA_FUNCTION_NAME": "api"}) is True
    assert hooks.after_restore == [lambda_handler.refresh_after_restore]


def test_without_the_runtimes_hooks_module_nothing_is_registered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # an import of it fails
    assert lambda_handler.register_after_restore(lambda: None) is False


def test_a_restored_snapshot_gets_a_new_seed_and_fresh_connections(
    aws_stack: AwsStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    container = aws_wiring.build_aws_container(aws_stack.settings())
    container.store.categories("someone")  # a pooled connection, as init leaves one
    container.receipts.inspect("users/someone/none")  # and a client made on first use
    closed: list[object] = []
    for client in aws_wiring._CLIENTS:
        monkeypatch.setattr(client, "close", lambda c=client: closed.append(c))
    random.seed(7)
    snapshot_draw = random.random()
    random.seed(7)
    lambda_handler.refresh_after_restore()
    assert random.random() != snapshot_draw  # not the sequence every restored copy shares
    assert closed == aws_wiring._CLIENTS and len(closed) >= 2


def test_clients_whose_connections_were_dropped_still_answer(aws_stack: AwsStack) -> None:
    container = aws_wiring.build_aws_container(aws_stack.settings())
    added = container.store.add(make_expense(new_user()))
    aws_wiring.close_connections()
    assert container.store.get(added.user_id, added.id) == added
