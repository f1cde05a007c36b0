"""The IAM-enforcing tier: the API function and the job worker do every store, receipt, job, scan
and data-lake operation with credentials whose policy is exactly the template's statements for
their role, and a statement taken away makes the operation that needs it fail.

S3, SQS and Secrets Manager run on a moto server with IAM enforcement switched on (a
`moto_server` subprocess; see tests/support/iam_enforced.py for what moto checks). DynamoDB runs
on DynamoDB Local, because moto's IAM check sees every DynamoDB request as made on the resource
"*"; each DynamoDB call is judged before it is sent, with moto's own policy evaluator, against
the real table and index ARNs. Cognito stays on the suite's moto (its calls are public-client
calls; AdminGetUser is checked in tests/infra). S3's real 403 for a missing key without
s3:ListBucket, which moto does not model, is pinned in tests/aws/test_s3_regions.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.aws.iam_deployment import (
    Deployment,
    Keys,
    World,
    build,
    download,
    enforced_world,
    upload,
    without,
)
from tests.support.api import User
from tests.support.aws_stack import AwsStack
from tests.support.receipt_files import image_bytes
from tests.support.receipt_photos import receipt_photo

pytestmark = [pytest.mark.aws, pytest.mark.slow]
STATEMENT = (Path(__file__).parent.parent / "data" / "statements" / "ofx_v1_sgml.ofx").read_bytes()


@pytest.fixture(scope="module")
def world(aws_stack: AwsStack) -> Iterator[World]:
    with enforced_world(aws_stack) as found:
        yield found


@pytest.fixture
def deployment(world: World, monkeypatch: pytest.MonkeyPatch) -> Deployment:
    return build(
        world, monkeypatch, world.statements("ApiFunctionRole"), world.statements("JobWorkerRole")
    )


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json() if response.content else {}
    return body


# ---------------------------------------------------------------- every operation, allowed


def _expenses(user: User) -> str:
    c = user.client
    first = ok(c.post("/api/expenses", json=_expense(), headers={"Idempotency-Key": "k1"}), 201)
    ok(c.post("/api/expenses", json=_expense(), headers={"Idempotency-Key": "k1"}), 201)
    ok(c.post("/api/expenses/import", json=None, content=b"date,amount,currency,category,"
              b"description\n2026-01-02,3.00,EUR,Food,Tea\n",
              headers={"Content-Type": "text/csv"}))  # fmt: skip
    ok(c.get("/api/expenses", params={"q": "Lunch", "limit": 5}))
    ok(c.get(f"/api/expenses/{first['id']}"))
    ok(c.patch(f"/api/expenses/{first['id']}", json={"date": "2025-12-30"},
               headers={"If-Match": f'"{first["version"]}"'}))  # fmt: skip
    ok(c.get("/api/categories"))
    ok(c.get("/api/analytics/summary"))
    assert c.get("/api/expenses/export").status_code == 200
    return str(first["id"])


def _expense() -> dict[str, Any]:
    return {"amount": "9.90", "currency": "EUR", "category": "Food", "description": "Lunch",
            "date": "2026-01-04"}  # fmt: skip


def _receipt(d: Deployment, user: User, expense_id: str) -> None:
    c, photo = user.client, image_bytes("PNG")
    assert c.post(f"/api/expenses/{expense_id}/receipt/confirm").status_code == 409
    ticket = ok(c.post(f"/api/expenses/{expense_id}/receipt/upload",
                       json={"content_type": "image/png", "size": len(photo)}), 201)  # fmt: skip
    upload(d, ticket, photo)
    ok(c.post(f"/api/expenses/{expense_id}/receipt/confirm"))
    view = c.get(f"/api/expenses/{expense_id}/receipt")
    assert view.status_code == 307
    assert download(d, view.headers["location"]).startswith(b"\x89PNG")


def _plans(user: User) -> None:
    c = user.client
    ok(c.patch("/api/me", json={"home_currency": "EUR"}))
    ok(c.post("/api/budgets", json={"category": None, "amount": "10.00", "period": "month"}), 201)
    ok(c.get("/api/budgets/status", params={"month": "2026-01"}))
    ok(c.post("/api/recurring", json={"amount": "5.00", "currency": "EUR", "category": "Rent",
                                      "description": "Box", "rule": "FREQ=MONTHLY;BYMONTHDAY=1",
                                      "start": "2026-01-01", "until": None}), 201)  # fmt: skip
    ok(c.post("/api/rules", json={"contains": "bakery", "category": "Bread"}), 201)
    ok(c.get("/api/alerts"))


def _jobs(d: Deployment, user: User) -> None:
    c = user.client
    created = ok(c.post("/api/imports", json={"format": "ofx", "size": len(STATEMENT)}), 201)
    upload(d, created["upload"], STATEMENT)
    ok(c.post(f"/api/imports/{created['id']}/start"), 202)
    imported = ok(c.get(f"/api/imports/{created['id']}"))
    assert imported["status"] == "done", imported
    for kind in ("csv", "zip"):
        started = ok(c.post("/api/exports", json={"format": kind}), 202)
        export = ok(c.get(f"/api/exports/{started['id']}"))
        assert export["status"] == "done", export
        assert download(d, export["download"])
    photo = receipt_photo()
    scan = ok(c.post("/api/scans", json={"content_type": "image/jpeg", "size": len(photo)}), 201)
    upload(d, scan["upload"], photo)
    ok(c.post(f"/api/scans/{scan['id']}/start"), 202)
    assert ok(c.get(f"/api/scans/{scan['id']}"))["status"] == "done"
    ok(c.post("/api/expenses", json={**_expense(), "scan_id": scan["id"]}), 201)


def test_both_functions_do_everything_with_only_the_templates_permissions(
    world: World, deployment: Deployment
) -> None:
    api = deployment.api
    user = api.new_user("iam")
    try:
        expense_id = _expenses(user)
        _receipt(deployment, user, expense_id)
        _plans(user)
        _jobs(deployment, user)
        assert user.client.delete(f"/api/expenses/{expense_id}/receipt").status_code == 204
        assert user.client.delete(f"/api/expenses/{expense_id}").status_code == 204
    finally:
        user.client.close()
    assert deployment.api_policy.refused == []
    assert deployment.worker_policy.refused == []
    lake = world.operator.client("s3", world.endpoint)
    keys = [o["Key"] for o in lake.list_objects_v2(Bucket=world.lake).get("Contents", [])]
    assert any(f"/{user.user_id}/" in k for k in keys), keys  # the worker's lake jobs ran


# ---------------------------------------------------------------- a permission taken away


def test_the_enforcing_server_refuses_what_the_policy_does_not_grant(world: World) -> None:
    keys = world.user_with(world.statements("ApiFunctionRole"))
    s3 = keys.client("s3", world.endpoint)
    with pytest.raises(s3.exceptions.ClientError, match="AccessDenied"):
        s3.put_object(Bucket=world.receipts, Key="elsewhere/x", Body=b"x")  # only users/*
    unknown = Keys("AKIAUNKNOWN000000000", "x" * 40).client("s3", world.endpoint)
    with pytest.raises(unknown.exceptions.ClientError, match="InvalidAccessKeyId"):
        unknown.get_object(Bucket=world.receipts, Key="users/x")


def _start_import(d: Deployment, user: User) -> int:
    created = ok(user.client.post("/api/imports", json={"format": "ofx",
                                                        "size": len(STATEMENT)}), 201)  # fmt: skip
    upload(d, created["upload"], STATEMENT)
    return user.client.post(f"/api/imports/{created['id']}/start").status_code


def _add(d: Deployment, user: User) -> int:
    return user.client.post("/api/expenses", json=_expense()).status_code


def _export(d: Deployment, user: User) -> int:
    started = ok(user.client.post("/api/exports", json={"format": "csv"}), 202)
    return 503 if ok(user.client.get(f"/api/exports/{started['id']}"))["status"] != "done" else 200


@pytest.mark.parametrize(
    ("role", "action", "operation"),
    [
        ("ApiFunctionRole", "sqs:SendMessage", _start_import),
        ("ApiFunctionRole", "dynamodb:PutItem", _add),
        ("JobWorkerRole", "s3:PutObject", _export),
    ],
)
def test_a_missing_permission_fails_the_operation_that_needs_it(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    role: str,
    action: str,
    operation: Callable[[Deployment, User], int],
) -> None:
    api_statements = world.statements("ApiFunctionRole")
    worker_statements = world.statements("JobWorkerRole")
    if role == "ApiFunctionRole":
        api_statements = without(api_statements, action)
    else:
        worker_statements = without(worker_statements, action)
    d = build(world, monkeypatch, api_statements, worker_statements)
    user = d.api.new_user("denied")
    try:
        assert operation(d, user) == 503
    finally:
        user.client.close()
