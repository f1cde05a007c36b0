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
- The v2 operations carry rules of the same kind (an RRULE that parses, a BCP 47 tag, a
  currency the ECB quotes, a month as YYYY-MM, a start before its end), each tested in its
  own file: `v2_valid` makes a positive case obey them, as for the expenses.
- `change_password` and `delete_me` confirm with the password: a generated one is wrong, and
  401 is their documented answer for it (not a lost session).
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
from schemathesis.specs.openapi.checks import negative_data_rejection

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
PASSWORD_CONFIRMED = ("change_password", "delete_me")  # a wrong password is their 401
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
                },
                *(
                    {
                        "include-operation-id": operation_id,
                        "checks": {
                            "positive_data_acceptance": {"expected-statuses": ["2xx", 401, 429]}
                        },
                    }
                    for operation_id in PASSWORD_CONFIRMED
                ),
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
    v2_valid(case, query)


def _plain_text(body: dict[str, Any], names: tuple[str, ...] = ("category", "description")) -> None:
    """Without control characters and bidi overrides; a category still visible after it."""
    for name in names:
        value = body.get(name)
        if isinstance(value, str):
            cleaned = "".join(c for c in value if unicodedata.category(c) not in UNSEEN)
            visible = name in {"description", "q"} or cleaned.strip()
            body[name] = cleaned if visible else "Food"


UNSEEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # controls, format (bidi), surrogates...


# Quoted by the ECB on every business day of the bundled history's last years.
ECB_QUOTED = {"EUR", "USD", "GBP", "JPY", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "AUD", "CAD"}
MONTH = re.compile(r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$")


def v2_valid(case: Any, query: dict[str, Any]) -> None:
    """The v2 rules no schema states, on a positive case (see the module docstring)."""
    label = case.operation.label
    _v2_query(label, query)
    body = case.body if isinstance(case.body, dict) else None
    if body is None:
        return
    if label.startswith(
        ("POST /api/budgets", "PATCH /api/budgets", "POST /api/recurring", "PATCH /api/recurring")
    ):
        _fit_amount(body, creating=label.startswith("POST"))
        _plain_text(body)
    if label.startswith(("POST /api/recurring", "PATCH /api/recurring")):
        _valid_schedule(body)
    if label.startswith(("POST /api/rules", "PATCH /api/rules")):
        _plain_text(body, names=("contains", "category"))
    if label == "POST /api/exports":
        _plain_text(body, names=("category", "q"))
        if body.get("from") and body.get("to") and str(body["from"]) > str(body["to"]):
            body["from"], body["to"] = body["to"], body["from"]
    if label == "PATCH /api/me":
        _valid_settings(body)
    if label == "POST /api/imports" and body.get("format") not in {None, "csv"}:
        body.pop("mapping", None)  # a column mapping is for CSV files only
    if label == "POST /api/auth/password":
        body["new_password"] = f"correct horse {uuid.uuid4().hex[:12]}"


def _v2_query(label: str, query: dict[str, Any]) -> None:
    """A month as YYYY-MM; a base the ECB quotes and a day it has rates for."""
    if (
        label == "GET /api/budgets/status"
        and "month" in query
        and not MONTH.match(str(query["month"]))
    ):
        query["month"] = "2026-11"
    if label != "GET /api/rates":
        return
    if "base" in query and query["base"] not in ECB_QUOTED:
        query["base"] = "USD"
    if "date" in query and not "1999-01-04" <= str(query["date"]) <= "2026-01-01":
        query["date"] = "2025-03-14"


def _valid_schedule(body: dict[str, Any]) -> None:
    """An RRULE that parses, at most one occurrence a day, and a start before its end."""
    if "rule" in body:
        body["rule"] = "FREQ=MONTHLY;BYMONTHDAY=1"
    start, until = body.get("start"), body.get("until")
    if start and until and str(start) > str(until):
        body["start"], body["until"] = until, start


def _valid_settings(body: dict[str, Any]) -> None:
    """A BCP 47 tag, and a home currency the ECB quotes."""
    if "locale" in body:
        body["locale"] = "de-DE"
    if "home_currency" in body and body["home_currency"] not in ECB_QUOTED:
        body["home_currency"] = "EUR"


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
    confirmed_by_password = case.operation.definition.raw.get("operationId") in PASSWORD_CONFIRMED
    if signed_in and case.operation.definition.raw.get("security") and not confirmed_by_password:
        assert response.status_code != 401  # the fuzzing really ran signed in


def inapplicable(case: Any) -> list[Any]:
    """The import's file is any text, and a "schema-violating" one (an object, a number) arrives
    as text too, so it is rightly not refused: its lines are checked, with errors by line. Only
    for such a body is negative_data_rejection left out."""
    meta = case.meta
    if case.operation.label == IMPORT and meta and meta.is_negative_at(ParameterLocation.BODY):
        return [negative_data_rejection]
    return []


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
