"""The AWS backend's stand-ins, once per test session (per xdist worker): moto's server for S3
and Cognito (with the additions of moto_cognito), DynamoDB Local for the table, and the app
behind a Lambda event transport.

Fixtures (registered in tests/conftest.py):
- `moto_endpoint`: a ThreadedMotoServer on 127.0.0.1 (a daemon thread: it ends with pytest);
- `aws_stack`: a user pool and app client set up as the deployment's, the receipts bucket and
  the shared DynamoDB table, with `settings()` pointing the app at all of them;
- `aws_api`: the app built by the Lambda entry point, reached through `LambdaTransport`, with
  API Gateway's JWT authorizer played on the routes infra/template.yaml protects; the jobs its
  requests start go through moto's SQS queue, drained after each request by the worker
  function's handler (as Lambda's event source mapping would call it).
Fake credentials are set in the environment for the session, so nothing can reach real AWS."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
import httpx
import jwt
import pytest
from moto.server import ThreadedMotoServer

from expense_tracker.adapters.aws.cognito_tokens import JwksCache, cognito_issuer
from expense_tracker.config import Settings
from expense_tracker.domain.errors import Unauthorized
from expense_tracker.entrypoints.lambda_handler import make_handler, make_worker
from tests.support.api import Api
from tests.support.lambda_transport import (
    ClaimsFor,
    LambdaHandler,
    LambdaTransport,
    bearer_token,
)
from tests.support.moto_cognito import cognito_additions, match_cognito_password_limit

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

REGION = "us-east-1"
API_HOST = "api.expense-tracker.test"
SECRET_KEY = "test-secret-" + "k" * 40
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# Anything that could point boto3 at a real account or another endpoint.
CLEARED = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
)


@dataclass(frozen=True)
class UserPool:
    pool_id: str
    client_id: str


def create_user_pool(
    cognito: CognitoIdentityProviderClient, *, email_is_username_attribute: bool = True
) -> UserPool:
    """A pool like the deployment's (infra/template.yaml): e-mail as the sign-in name, the
    sign-up policy's length rule without composition rules (the app enforces the rest), an app
    client without a secret that allows USER_PASSWORD_AUTH, with token revocation and
    refresh-token rotation without a grace period."""
    extra: dict[str, Any] = {"UsernameAttributes": ["email"]} if email_is_username_attribute else {}
    pool = cognito.create_user_pool(
        PoolName=f"expense-tracker-{uuid.uuid4().hex[:8]}",
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": False,
                "RequireLowercase": False,
                "RequireNumbers": False,
                "RequireSymbols": False,
            }
        },
        AutoVerifiedAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        **extra,
    )["UserPool"]
    match_cognito_password_limit(pool["Id"], REGION)
    client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="web",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
        EnableTokenRevocation=True,
        PreventUserExistenceErrors="ENABLED",
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0},
    )["UserPoolClient"]
    return UserPool(pool["Id"], client["ClientId"])


@dataclass
class AwsStack:
    moto_endpoint: str
    dynamodb_endpoint: str
    table: str
    receipts_bucket: str
    pool: UserPool
    s3: S3Client
    cognito: CognitoIdentityProviderClient
    sqs: SQSClient
    jobs_queue: str

    def jwks_url(self, pool: UserPool | None = None) -> str:
        return f"{self.moto_endpoint}/{(pool or self.pool).pool_id}/.well-known/jwks.json"

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "backend": "aws",
            "region": REGION,
            "table_name": self.table,
            "receipts_bucket": self.receipts_bucket,
            "user_pool_id": self.pool.pool_id,
            "user_pool_client_id": self.pool.client_id,
            "jwks_url": self.jwks_url(),
            "aws_endpoint_url": self.moto_endpoint,
            "dynamodb_endpoint_url": self.dynamodb_endpoint,
            "secret_key": SECRET_KEY,
            "public_url": f"https://{API_HOST}",
            "jobs_queue_url": self.jobs_queue,
        }
        return Settings(**{**values, **overrides})

    def new_bucket(self, prefix: str = "bucket") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.s3.create_bucket(Bucket=name)
        return name

    def confirm(self, email: str) -> None:
        """What the user does with the e-mailed code; here the administrator does it."""
        self.cognito.admin_confirm_sign_up(UserPoolId=self.pool.pool_id, Username=email)

    def drain(self, worker: LambdaHandler, queue: str | None = None) -> int:
        """Hand every message on the jobs queue to the worker, as SQS batches of one (the
        template's BatchSize), until none is left; a job that queues another is run too.
        Failed messages stay invisible for the queue's timeout, as on AWS. The count run."""
        ran = 0
        while True:
            found = self.sqs.receive_message(
                QueueUrl=queue or self.jobs_queue, MaxNumberOfMessages=1, WaitTimeSeconds=0
            ).get("Messages", [])
            if not found:
                return ran
            for message in found:
                record = {
                    "messageId": message["MessageId"],
                    "receiptHandle": message["ReceiptHandle"],
                    "body": message["Body"],
                }
                answer = worker({"Records": [record]}, None)
                if not answer["batchItemFailures"]:
                    self.sqs.delete_message(
                        QueueUrl=queue or self.jobs_queue, ReceiptHandle=message["ReceiptHandle"]
                    )
                ran += 1


# The routes infra/template.yaml leaves without the JWT authorizer; every other /api route has it.
PUBLIC_ROUTES = {
    ("GET", "/api/health"),
    ("GET", "/api/openapi.json"),
    ("POST", "/api/auth/signup"),
    ("POST", "/api/auth/confirm"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/refresh"),
}


def gateway_authorizer(stack: AwsStack) -> ClaimsFor:
    """API Gateway's JWT authorizer: signature against the pool's JWKS, `iss`, `exp`, and the
    audience in `aud` or `client_id`, but not `token_use`. The claims it passes on are strings.

    Where the real gateway would answer 401 itself, this one passes the request on without
    claims, so the app's own check answers (with problem+json rather than the gateway's body)."""
    keys = JwksCache(stack.jwks_url())
    issuer = cognito_issuer(REGION, stack.pool.pool_id)

    def claims_for(request: httpx.Request) -> dict[str, Any] | None:
        route = (request.method, request.url.path)
        token = bearer_token(request)
        if route in PUBLIC_ROUTES or not request.url.path.startswith("/api/") or not token:
            return None
        try:
            kid = str(jwt.get_unverified_header(token).get("kid"))
            claims = jwt.decode(
                token,
                keys.key(kid).key,
                algorithms=["RS256"],
                issuer=issuer,
                options={"verify_aud": False, "require": ["exp", "iss"]},
            )
        except (jwt.PyJWTError, Unauthorized):
            return None
        if stack.pool.client_id not in (claims.get("aud"), claims.get("client_id")):
            return None
        return {name: str(value) for name, value in claims.items()}

    return claims_for


def lambda_api(
    handler: LambdaHandler,
    stack: AwsStack,
    claims_for: ClaimsFor | None = None,
    worker: LambdaHandler | None = None,
) -> Api:
    """The app behind Lambda events; with a worker, each request is followed by draining the
    jobs queue through it, so a job a request started has run when the client polls it."""
    base_url = f"https://{API_HOST}"
    if worker is not None:
        handler = draining(handler, worker, stack)

    def make_client(**kwargs: Any) -> httpx.Client:
        transport = LambdaTransport(handler, API_HOST, claims_for)
        return httpx.Client(base_url=base_url, transport=transport, timeout=30, **kwargs)

    return Api(base_url, make_client, backend="aws", extras={"confirm": stack.confirm})


def draining(handler: LambdaHandler, worker: LambdaHandler, stack: AwsStack) -> LambdaHandler:
    def answer_then_drain(event: dict[str, Any], context: Any) -> dict[str, Any]:
        response = handler(event, context)
        stack.drain(worker)
        return response

    return answer_then_drain


@pytest.fixture(scope="session")
def aws_credentials() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in CLEARED:
            patch.delenv(name, raising=False)
        for name, value in {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": REGION}.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="session")
def moto_endpoint(aws_credentials: None) -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    with cognito_additions():
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def new_stack(moto_endpoint: str, dynamodb_endpoint: str, table: str) -> AwsStack:
    """A fresh bucket and user pool on moto beside an existing DynamoDB Local table."""
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)
    cognito = boto3.client("cognito-idp", endpoint_url=moto_endpoint, region_name=REGION)
    sqs = boto3.client("sqs", endpoint_url=moto_endpoint, region_name=REGION)
    bucket = f"receipts-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    queue = sqs.create_queue(QueueName=f"jobs-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    return AwsStack(
        moto_endpoint=moto_endpoint,
        dynamodb_endpoint=dynamodb_endpoint,
        table=table,
        receipts_bucket=bucket,
        pool=create_user_pool(cognito),
        s3=s3,
        cognito=cognito,
        sqs=sqs,
        jobs_queue=queue,
    )


@pytest.fixture(scope="session")
def aws_stack(moto_endpoint: str, dynamodb_endpoint: str, dynamodb_table: str) -> AwsStack:
    return new_stack(moto_endpoint, dynamodb_endpoint, dynamodb_table)


@pytest.fixture(scope="session")
def aws_api(aws_stack: AwsStack) -> Api:
    # As for the local server (tests/http/conftest.py): the suite signs up hundreds of users
    # from one address, faster than the sign-up limit allows a person (a suite that ran faster
    # met it: 429 at a fixture's sign-up); the limit has its own tests (test_rate_limits.py).
    settings = aws_stack.settings(signup_burst_per_client=100_000, signup_burst_overall=100_000)
    handler, worker = make_handler(settings), make_worker(settings)
    return lambda_api(handler, aws_stack, gateway_authorizer(aws_stack), worker)
