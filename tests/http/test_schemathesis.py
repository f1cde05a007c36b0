"""Property-based API fuzzing with schemathesis against a running local server.

Every default check runs (server errors, status codes, content types, response schemas and
headers, positive/negative data, missing headers, ignored auth, unsupported methods, use after
free, resource availability), on valid and invalid data, then the stateful phase follows the
spec's links (create -> get/patch/delete). The example count is bounded so both tests together
stay well under two minutes on two cores.

Where a check cannot apply, the narrowest exception is made and said where it is made:
- `semantically_valid`: positive_data_acceptance takes a schema-valid request as valid, but the
  contract has rules no JSON Schema can state (digits per currency, from <= to, signed cursors,
  Idempotency-Key reuse, If-Match versions), where 422 or 412 is the right answer. A positive
  case is made to obey them before it is sent; negative cases go out as generated. Those rules
  have their own tests in test_expenses.py and test_listing.py.
- `confirm`: local accounts need no confirmation, so every confirmation gets the documented 400.
- `inapplicable`: an import's file is any text, so a "schema-violating" one is not refused.
  The v2 operations (budgets, recurring, alerts, rates, imports, exports, scans, rules, the
  settings of /api/me) carry rules of the same kind (an RRULE that parses, a BCP 47 tag, a
  currency the ECB quotes, a month as YYYY-MM), tested in their own files: for them
  positive_data_acceptance is left out, and every other check (server errors, documented
  status codes, response schemas...) still runs.
- text fields: control characters and bidirectional overrides are refused (422) by a rule
  JSON Schema cannot state either; `semantically_valid` removes them from positive cases, and
  makes a sign-up's password strong (not one repeated character, nor the e-mail).
- links: only the spec's own (see the config below).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterator
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from expense_tracker.domain.currencies import MINOR_UNITS
from tests.http.test_openapi import COMMITTED
from tests.support.api import socket_api
from tests.support.server import RunningServer, start_server

EXAMPLES_PER_OPERATION = 100
STATEFUL_EXAMPLES = 100
STATEFUL_STEPS = 8

# Its own server: fuzzing sign-in would otherwise trip the failed-login limit of the shared
# one. Rate limits are lifted only here: they are tested on their own, and a 429 would only
# hide what a valid request does.
FUZZ_ENV = {
    "EXPENSE_TRACKER_RATE_PER_SECOND": "100000",
    "EXPENSE_TRACKER_RATE_BURST": "100000",
    "EXPENSE_TRACKER_LOGIN_FAILURES_PER_EMAIL": "100000",
    "EXPENSE_TRACKER_LOGIN_FAILURES_PER_CLIENT": "100000",
    "EXPENSE_TRACKER_ACCESS_LOG": "json",  # the chained test reads the requests from it
}
IMPORT = "POST /api/expenses/import"
HYPOTHESIS = {
    "deadline": None,
    "derandomize": True,  # the same examples on every run: a failure here is reproducible
    "database": None,
    "suppress_health_check": list(HealthCheck),
}


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(Path(tmp_path_factory.mktemp("fuzz")) / "data", env=FUZZ_ENV)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fuzz_target(fuzz_server: RunningServer) -> RunningServer:
    """Point the schema at the server, with the bearer token of a fresh user."""
    user = socket_api(fuzz_server.base_url).new_user("fuzz")
    user.client.close()
    FuzzUser.token = user.access_token
    schema.config.update(base_url=fuzz_server.base_url, request_timeout=30)
    return fuzz_server


# The committed contract, fuzzed against the running app (test_openapi.py proves it is the
# app's spec). Loaded at import so pytest-xdist can spread the operations over its workers.
schema = schemathesis.openapi.from_path(
    COMMITTED,
    config=schemathesis.Config.from_dict(
        {
            "generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION},
            # The stateful phase follows the spec's own links (and Location headers). Inferred
            # links would also send a new expense to GET .../receipt, whose 404 before any
            # upload is the contract, not a created resource gone missing.
            "phases": {"stateful": {"inference": {"algorithms": ["location-headers"]}}},
            "operations": [
                {
                    # The local identity provider activates accounts at sign-up, so every
                    # confirmation, however well formed, gets the documented 400. (The AWS
                    # suite confirms real Cognito codes.)
                    "include-operation-id": "confirm",
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": ["2xx", 400, 401, 409, 429]
                        }
                    },
                }
            ],
        }
    ),
)


@schema.auth(refresh_interval=None)  # uncached: collection asks before the user exists
class FuzzUser:
    """The fuzz user's bearer token, as an auth provider: then the ignored-auth check knows
    which header is the credential, and probes without it and with a forged one."""

    token = ""

    def get(self, case: Any, context: Any) -> str:
        return self.token

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def semantically_valid(case: Any) -> None:
    """Make a positive case obey the rules the schema cannot state (see the module docstring)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    query = case.query or {}
    query.pop("cursor", None)  # opaque and signed: only a list response can make one
    if query.get("from") and query.get("to") and str(query["from"]) > str(query["to"]):
        query["from"], query["to"] = query["to"], query["from"]
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "if-match":
            del headers[name]  # a stale or made-up version is a 412 by contract
        elif name.lower() == "idempotency-key":
            headers[name] = uuid.uuid4().hex  # reusing one with another body is a 422
    if isinstance(case.body, dict) and case.operation.label in {
        "POST /api/expenses",
        "PATCH /api/expenses/{expense_id}",
    }:
        _fit_amount(case.body, creating=case.method.upper() == "POST")
        _plain_text(case.body)
    if isinstance(case.body, dict) and case.operation.label == "POST /api/auth/signup":
        case.body["password"] = f"correct horse {uuid.uuid4().hex[:12]}"


def _plain_text(body: dict[str, Any]) -> None:
    """Without control characters and bidi overrides; a category still visible after it."""
    for name in ("category", "description"):
        value = body.get(name)
        if isinstance(value, str):
            cleaned = "".join(c for c in value if unicodedata.category(c) not in UNSEEN)
            body[name] = cleaned if name == "description" or cleaned.strip() else "Food"


UNSEEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # controls, format (bidi), surrogates...


def _fit_amount(body: dict[str, Any], *, creating: bool) -> None:
    """The amount's digits depend on the currency (the stored one, when a PATCH omits it, and
    the user's default when a create does): cut them to what any currency in play allows."""
    if "amount" not in body and "currency" in body and not creating:
        body["amount"] = "1"  # a new currency re-checks the stored amount's digits
    if "amount" not in body:
        return
    digits = MINOR_UNITS.get(body.get("currency") or "", 0)
    try:
        amount = Decimal(str(body["amount"])).quantize(Decimal(1).scaleb(-digits), ROUND_DOWN)
    except InvalidOperation:
        return
    fitted = amount if amount > 0 else Decimal(1)
    body["amount"] = str(fitted) if isinstance(body["amount"], str) else int(fitted) or 1


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, **HYPOTHESIS)  # type: ignore[arg-type]
def test_every_operation_passes_every_default_check(case: Any, fuzz_target: RunningServer) -> None:
    semantically_valid(case)
    response = case.call_and_validate(
        base_url=fuzz_target.base_url, excluded_checks=inapplicable(case)
    )
    signed_in = (case.headers or {}).get("Authorization") == f"Bearer {FuzzUser.token}"
    if signed_in and case.operation.definition.raw.get("security"):
        assert response.status_code != 401  # the fuzzing really ran signed in


def inapplicable(case: Any) -> list[Any]:
    """The import's file is any text, and a "schema-violating" one (an object, a number) arrives
    as text too, so it is rightly not refused: its lines are checked, with errors by line. Only
    for such a body is negative_data_rejection left out."""
    meta = case.meta
    if case.operation.label == IMPORT and meta and meta.is_negative_at(ParameterLocation.BODY):
        return [negative_data_rejection]
    if case.operation.label in V2_OPERATIONS or case.operation.label.startswith(V2_PREFIXES):
        return [positive_data_acceptance]
    return []


V2_OPERATIONS = {"PATCH /api/me"}
V2_PREFIXES = tuple(
    f"{method} /api/{name}"
    for method in ("GET", "POST", "PATCH", "DELETE")
    for name in ("budgets", "recurring", "alerts", "rates", "imports", "exports", "scans", "rules")
)


def test_chained_calls_pass_every_default_check(fuzz_target: RunningServer) -> None:
    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {**super().get_call_kwargs(case), "base_url": fuzz_target.base_url}

        def before_call(self, case: Any) -> None:
            semantically_valid(case)
            super().before_call(case)

    Machine.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            **HYPOTHESIS,  # type: ignore[arg-type]
        )
    )
    log = fuzz_target.log()
    assert "Traceback" not in log
    # The links were followed: an expense made in a step was found again by id in a later one.
    pattern = r'"method":"(GET|PATCH|DELETE)","path":"/api/expenses/[0-9A-Z]{26}","status":20[04]'
    assert re.search(pattern, log)
