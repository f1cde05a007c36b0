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

import dataclasses
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import boto3
import httpx
import pytest

from expense_tracker.adapters.aws import wiring
from expense_tracker.config import Settings
from expense_tracker.entrypoints.lambda_handler import make_handler, make_worker
from tests.infra import cfn
from tests.support import iam_enforced as iam
from tests.support.api import Api, User
from tests.support.aws_stack import REGION, SECRET_KEY, AwsStack, gateway_authorizer, lambda_api
from tests.support.receipt_files import image_bytes
from tests.support.receipt_photos import receipt_photo

pytestmark = [pytest.mark.aws, pytest.mark.slow]
STATEMENT = (Path(__file__).parent.parent / "data" / "statements" / "ofx_v1_sgml.ofx").read_bytes()


@dataclass
class Keys:
    access_key: str
    secret_key: str

    def client(self, service: str, endpoint: str) -> Any:
        make: Any = boto3.client  # typed per service name; the tests name theirs at run time
        return make(
            service,
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )


@dataclass
class World:
    """The enforcing server, the stack's resources on it, and the template's policies."""

    endpoint: str
    stack: AwsStack
    receipts: str
    lake: str
    queue: str
    secret_arn: str
    arns: dict[str, str]
    iam: Any
    operator: Keys

    def statements(self, role: str) -> list[Any]:
        return iam.role_statements(cfn.source(), role, self.arns)

    def user_with(self, statements: list[Any]) -> Keys:
        """A new IAM user whose only policy is these statements (as moto judges them)."""
        name = f"fn-{uuid.uuid4().hex[:10]}"
        self.iam.create_user(UserName=name)
        self.iam.put_user_policy(
            UserName=name,
            PolicyName="template",
            PolicyDocument=iam.policy_json(iam.for_moto(statements)),
        )
        key = self.iam.create_access_key(UserName=name)["AccessKey"]
        return Keys(key["AccessKeyId"], key["SecretAccessKey"])

    def settings(self) -> Settings:
        return self.stack.settings(
            aws_endpoint_url=self.endpoint,
            receipts_bucket=self.receipts,
            data_lake_bucket=self.lake,
            jobs_queue_url=self.queue,
            secret_key=None,
            secret_arn=self.secret_arn,
            scan_reader="memory",
        )


@pytest.fixture(scope="module")
def world(aws_stack: AwsStack) -> Iterator[World]:
    with iam.enforcing_moto() as endpoint:
        setup = Keys("testing", "testing")  # let through: enforcement is not on yet
        s3, sqs = setup.client("s3", endpoint), setup.client("sqs", endpoint)
        receipts, lake = f"receipts-{uuid.uuid4().hex[:8]}", f"lake-{uuid.uuid4().hex[:8]}"
        s3.create_bucket(Bucket=receipts)
        s3.create_bucket(Bucket=lake)
        queue = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        secrets = setup.client("secretsmanager", endpoint)
        cursor = secrets.create_secret(Name="cursor", SecretString=SECRET_KEY)["ARN"]
        origin = secrets.create_secret(Name="origin", SecretString="o" * 48)["ARN"]
        client = setup.client("iam", endpoint)
        account, region = iam.ACCOUNT, REGION
        arns = {
            "Table.Arn": iam.table_arn(aws_stack.table),
            "ReceiptsBucket.Arn": f"arn:aws:s3:::{receipts}",
            "DataLakeBucket.Arn": f"arn:aws:s3:::{lake}",
            "JobsQueue.Arn": f"arn:aws:sqs:{region}:{account}:jobs",
            "CursorSecret": cursor,
            "OriginSecret": origin,
            "ApiFunctionLogGroup.Arn": f"arn:aws:logs:{region}:{account}:log-group:api",
            "JobWorkerLogGroup.Arn": f"arn:aws:logs:{region}:{account}:log-group:worker",
            "UserPool.Arn": f"arn:aws:cognito-idp:{region}:{account}:userpool/pool",
        }
        found = World(endpoint, aws_stack, receipts, lake, queue, cursor, arns, client, setup)
        found.operator = found.user_with(iam.ALLOW_ALL)
        iam.enforce(endpoint)
        found.iam = found.operator.client("iam", endpoint)  # set-up keys are refused now
        yield found


@dataclass
class Deployment:
    world: World
    api: Api
    api_policy: iam.JudgedPolicy
    worker_policy: iam.JudgedPolicy


def build(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    api_statements: list[Any],
    worker_statements: list[Any],
) -> Deployment:
    """The two functions, each built (its clients made) with its own user's keys in the
    environment, as Lambda gives each function its role's credentials."""
    policies = []
    handlers = []
    for statements, make in ((api_statements, make_handler), (worker_statements, make_worker)):
        keys, policy = world.user_with(statements), iam.JudgedPolicy(statements)
        with monkeypatch.context() as patch:
            patch.setenv("AWS_ACCESS_KEY_ID", keys.access_key)
            patch.setenv("AWS_SECRET_ACCESS_KEY", keys.secret_key)
            patch.setattr(wiring.AwsClients, "create", _judged(world, policy))
            handlers.append(make(world.settings()))
            worker_keys = keys
        policies.append(policy)
    # Lambda's event source mapping receives and deletes with the worker's role.
    stack = dataclasses.replace(
        world.stack, sqs=worker_keys.client("sqs", world.endpoint), jobs_queue=world.queue
    )
    api = lambda_api(handlers[0], stack, gateway_authorizer(world.stack), handlers[1])
    return Deployment(world, api, policies[0], policies[1])


def _judged(world: World, policy: iam.JudgedPolicy) -> Any:
    original = wiring.AwsClients.create

    def create(settings: Settings) -> wiring.AwsClients:
        clients = original(settings)
        clients.dynamodb.meta.events.register("before-parameter-build.dynamodb", policy)
        cognito = boto3.client("cognito-idp", endpoint_url=world.stack.moto_endpoint)
        return dataclasses.replace(clients, cognito=cognito)

    return create


@pytest.fixture
def deployment(world: World, monkeypatch: pytest.MonkeyPatch) -> Deployment:
    return build(
        world, monkeypatch, world.statements("ApiFunctionRole"), world.statements("JobWorkerRole")
    )


def without(statements: list[Any], action: str) -> list[Any]:
    """The statements with one action taken out (a statement left empty goes)."""
    kept = []
    for statement in statements:
        actions = [a for a in cfn.as_list(statement["Action"]) if a != action]
        if actions:
            kept.append({**statement, "Action": actions})
    assert kept != statements, f"{action} is not granted"
    return kept


def upload(d: Deployment, ticket: dict[str, Any], data: bytes) -> None:
    """The browser's upload with the ticket. moto's enforcing server cannot authorise a presigned
    POST (it answers 500: it reads credentials only from headers or the query), so the bytes go
    in with the operator's keys, and the ticket's authority is judged here as S3 judges it: the
    signer (the API function) must be allowed s3:PutObject on the key."""
    key, bucket = ticket["fields"]["key"], d.world.receipts
    arn = f"arn:aws:s3:::{bucket}/{key}"
    assert d.api_policy.allows("s3:PutObject", arn), arn
    s3 = d.world.operator.client("s3", d.world.endpoint)
    fields = ticket["fields"]
    s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=fields["Content-Type"],
                  Tagging=_tagging(fields.get("tagging", "")))  # fmt: skip


def download(d: Deployment, url: str) -> bytes:
    """A presigned GET, as the browser follows it. moto's enforcing server cannot authorise
    query-string signatures either (500), so the signer's s3:GetObject on the key is judged
    here and the bytes are read with the operator's keys."""
    path = urlsplit(url).path.lstrip("/")
    bucket, key = path.split("/", 1)
    assert d.api_policy.allows("s3:GetObject", f"arn:aws:s3:::{bucket}/{unquote(key)}"), url
    s3 = d.world.operator.client("s3", d.world.endpoint)
    body: bytes = s3.get_object(Bucket=bucket, Key=unquote(key))["Body"].read()
    return body


def _tagging(xml: str) -> str:
    pairs = re.findall(r"<Key>(.*?)</Key><Value>(.*?)</Value>", xml)
    return "&".join(f"{k}={v}" for k, v in pairs)


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
        s3.list_objects_v2(Bucket=world.receipts)  # the function may not list
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
