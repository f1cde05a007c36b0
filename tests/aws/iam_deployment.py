"""The IAM-enforcing tier's deployment: the enforcing moto server with the stack's resources,
IAM users whose policies are the template's statements, and the two functions built with their
keys (tests/aws/test_iam_enforced.py uses it; tests/support/iam_enforced.py says what is
enforced where)."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import boto3
import pytest

from expense_tracker.adapters.aws import wiring
from expense_tracker.config import Settings
from expense_tracker.entrypoints.lambda_handler import make_handler, make_worker
from tests.infra import cfn
from tests.support import iam_enforced as iam
from tests.support.api import Api
from tests.support.aws_stack import REGION, SECRET_KEY, AwsStack, gateway_authorizer, lambda_api


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


@contextmanager
def enforced_world(aws_stack: AwsStack) -> Iterator[World]:
    """The enforcing server with the stack's buckets, queue and secrets on it, and an
    operator user allowed everything (the test's own reads)."""
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
            "RatesFunctionLogGroup.Arn": f"arn:aws:logs:{region}:{account}:log-group:rates",
            "UserPool.Arn": f"arn:aws:cognito-idp:{region}:{account}:userpool/pool",
        }
        found = World(endpoint, aws_stack, receipts, lake, queue, cursor, arns, client, setup)
        found.operator = found.user_with(iam.ALLOW_ALL)
        iam.enforce(endpoint)
        found.iam = found.operator.client("iam", endpoint)  # set-up keys are refused now
        yield found


def without(statements: list[Any], action: str) -> list[Any]:
    """The statements with one action taken out (a statement left empty goes)."""
    kept = []
    for statement in statements:
        actions = [a for a in cfn.as_list(statement["Action"]) if a != action]
        if actions:
            kept.append({**statement, "Action": actions})
    assert kept != statements, f"{action} is not granted"
    return kept


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
