"""The AWS deployment: expenses and profiles in DynamoDB, receipts in S3, accounts in Cognito,
and optionally a copy of every write in a data-lake bucket.

Imported only when `backend == "aws"` (bootstrap imports it lazily), so the local deployment
never loads boto3. Each boto3 client is made once here and shared: in Lambda that is once per
execution environment, and the clients keep their connection pools warm between invocations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, cast

import boto3
from botocore.client import BaseClient
from botocore.config import Config

from ...config import Settings
from ...container import Container
from ...domain.errors import ConfigurationError
from ...ports import ExpenseStore
from ...ports.jobs import JobHandler, Jobs
from ...ports.reader import ReceiptReader
from ...services.cursors import CursorCodec
from ..common.clock import SystemClock
from ..common.ecb_rates import EcbRates
from ..memory_reader import MemoryReceiptReader
from .cognito_identity import CognitoIdentity
from .cognito_tokens import AccessTokenRules, AccessTokenVerifier, JwksCache, cognito_issuer
from .data_lake import LAKE_JOB, DataLakeStore, LakeCopier
from .dynamodb_imports import DynamoImportLedger
from .dynamodb_plans import DynamoPlans
from .dynamodb_rules import DynamoRuleStore
from .dynamodb_store import DynamoExpenseStore, DynamoProfiles
from .errors import storage_errors
from .s3_exports import S3ExportFiles
from .s3_receipts import S3ReceiptStore
from .ses_mail import SesMailer
from .sqs_jobs import SqsJobs
from .textract_reader import TextractReader

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_textract import TextractClient

MIN_SECRET_BYTES = 32
# Fail fast inside API Gateway's 30 s budget rather than hang on a stuck connection.
BASE_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10
)
# Presigned POSTs and GETs are used by browsers, so they must name the bucket's own regional,
# virtual-hosted host (`<bucket>.s3.<region>.amazonaws.com`) and be signed with SigV4. The global
# host redirects (307) outside us-east-1 for up to a day after a bucket is made, which a CORS
# preflight cannot follow, and regions opened after March 2019 refuse it (400) for good; SigV2
# is refused in those regions too.
S3_CONFIG = Config(signature_version="s3v4", s3={"addressing_style": "virtual"})


# Every SDK client this module made: SnapStart's restore hook drops their pooled connections.
_CLIENTS: list[BaseClient] = []
ClientT = TypeVar("ClientT")


def _made(client: ClientT) -> ClientT:
    _CLIENTS.append(cast("BaseClient", client))
    return client


def close_connections() -> None:
    """Drop the connections the clients pooled (a restored snapshot's are dead); each client
    stays usable and opens new ones on its next call."""
    for client in _CLIENTS:
        client.close()


def s3_regional_endpoint(region: str) -> str:
    return f"https://s3.{region}.amazonaws.com"


@dataclass(frozen=True)
class AwsClients:
    dynamodb: DynamoDBClient
    s3: S3Client
    cognito: CognitoIdentityProviderClient
    textract: TextractClient | None = None  # made when scans are read by Textract

    @classmethod
    def create(cls, settings: Settings) -> AwsClients:
        session = boto3.session.Session(region_name=settings.region)
        general = settings.aws_endpoint_url or None
        base = BASE_CONFIG
        return cls(
            dynamodb=_made(
                session.client(
                    "dynamodb", endpoint_url=settings.dynamodb_endpoint_url or general, config=base
                )
            ),
            s3=_made(
                session.client(
                    "s3",
                    endpoint_url=general or s3_regional_endpoint(settings.region),
                    config=base.merge(S3_CONFIG),
                )
            ),
            cognito=_made(session.client("cognito-idp", endpoint_url=general, config=base)),
            # AnalyzeExpense takes a few seconds: the worker, not API Gateway, waits for it.
            textract=_made(
                session.client(
                    "textract", endpoint_url=general, config=base.merge(Config(read_timeout=60))
                )
            ),
        )


def cursor_secret(settings: Settings) -> bytes:
    """There is no data dir to keep a generated secret in: it must be configured. On Lambda it
    is read from Secrets Manager once, when the container is built at init (the environment
    variable only names the secret); a configured key (the local stand-ins) wins."""
    if settings.secret_key:
        secret, name = settings.secret_key.get_secret_value(), "EXPENSE_TRACKER_SECRET_KEY"
    else:
        secret = read_secret(settings, settings.secret_arn)
        name = "the secret EXPENSE_TRACKER_SECRET_ARN names"
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"{name} must be at least {MIN_SECRET_BYTES} bytes of random text on the AWS backend"
        )
    return secret.encode()


def read_secret(settings: Settings, secret_id: str) -> str:
    session = boto3.session.Session(region_name=settings.region)
    client = session.client(
        "secretsmanager", endpoint_url=settings.aws_endpoint_url or None, config=BASE_CONFIG
    )
    with storage_errors("Secrets Manager", "GetSecretValue"):
        return str(client.get_secret_value(SecretId=secret_id)["SecretString"])


def cognito_identity(settings: Settings, client: CognitoIdentityProviderClient) -> CognitoIdentity:
    issuer = cognito_issuer(settings.region, settings.user_pool_id)
    keys = JwksCache(settings.jwks_url or f"{issuer}/.well-known/jwks.json")
    verifier = AccessTokenVerifier(keys, AccessTokenRules(issuer, settings.user_pool_client_id))
    return CognitoIdentity(
        client,
        user_pool_id=settings.user_pool_id,
        client_id=settings.user_pool_client_id,
        verifier=verifier,
    )


def aws_jobs(settings: Settings, aws: AwsClients) -> Jobs:
    """Job records in the table and an SQS queue to the worker function. There is no other
    way to run a job on AWS: a missing queue is a configuration error, named at start."""
    if not settings.jobs_queue_url:
        raise ConfigurationError("The AWS backend needs EXPENSE_TRACKER_JOBS_QUEUE_URL")
    sqs = _made(
        boto3.session.Session(region_name=settings.region).client(
            "sqs", endpoint_url=settings.aws_endpoint_url or None, config=BASE_CONFIG
        )
    )
    return SqsJobs(aws.dynamodb, settings.table_name, sqs, settings.jobs_queue_url, SystemClock())


def build_aws_container(settings: Settings, clients: AwsClients | None = None) -> Container:
    secret = cursor_secret(settings)
    aws = clients or AwsClients.create(settings)
    jobs = aws_jobs(settings, aws)
    inner = DynamoExpenseStore(aws.dynamodb, settings.table_name)
    store: ExpenseStore = inner
    adapter_jobs: dict[str, JobHandler] = {}
    if settings.data_lake_bucket:  # the worker copies each write batch into the lake
        store = DataLakeStore(inner, jobs, SystemClock())
        adapter_jobs[LAKE_JOB] = LakeCopier(inner, aws.s3, settings.data_lake_bucket)
    return Container(
        ledger=DynamoImportLedger(aws.dynamodb, settings.table_name),
        rules=DynamoRuleStore(aws.dynamodb, settings.table_name),
        settings=settings,
        store=store,
        receipts=S3ReceiptStore(aws.s3, settings.receipts_bucket),
        identity=cognito_identity(settings, aws.cognito),
        profiles=DynamoProfiles(aws.dynamodb, settings.table_name, settings.default_currency),
        clock=SystemClock(),
        cursors=CursorCodec(secret),
        jobs=jobs,
        adapter_jobs=adapter_jobs,
        rates=EcbRates(),  # the shipped history (no scheduled refresh on AWS yet)
        exports=S3ExportFiles(aws.s3, settings.receipts_bucket),  # under users/<id>/exports/
        origin_secret=(
            read_secret(settings, settings.origin_secret_arn).encode()
            if settings.origin_secret_arn
            else None
        ),
        plans=DynamoPlans(aws.dynamodb, settings.table_name),
        mailer=ses_mailer(settings),
        reader=aws_reader(settings, aws),
    )


def ses_mailer(settings: Settings) -> SesMailer | None:
    """Alert e-mails through SES when a sender address is configured (off by default)."""
    if not settings.smtp_sender:
        return None
    client = _made(
        boto3.session.Session(region_name=settings.region).client(
            "sesv2", endpoint_url=settings.aws_endpoint_url or None
        )
    )
    return SesMailer(client, settings.smtp_sender)


def aws_reader(settings: Settings, aws: AwsClients) -> ReceiptReader:
    if settings.scan_reader == "memory":
        return MemoryReceiptReader()
    if settings.scan_reader == "local":
        raise ConfigurationError("The local OCR engine is not part of the AWS package")
    if aws.textract is None:
        raise ConfigurationError("Textract reads receipts on AWS: no Textract client was made")
    return TextractReader(aws.textract)
