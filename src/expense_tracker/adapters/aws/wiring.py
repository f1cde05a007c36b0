"""The AWS deployment: expenses and profiles in DynamoDB, receipts in S3, accounts in Cognito,
and optionally a copy of every write in a data-lake bucket.

Imported only when `backend == "aws"` (bootstrap imports it lazily), so the local deployment
never loads the AWS SDK. The clients are botocore's, made without boto3: boto3's session adds
nothing the adapters use (resources, s3transfer) and costs a tenth of a second of CPU at
every cold start. Each client is made once here and shared: in Lambda that is once per
execution environment, and the clients keep their connection pools warm between invocations.

A cold start pays for what it uses: the table's client (every request reads the table) and
Secrets Manager's (the cursor secret) are made at init; S3, Cognito, SQS and Textract are
made on their first call (`LazyClient`: reading a service's model costs tens of ms of CPU
each). Every session shares one loader, so the SDK's data files are read and parsed once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.config import Config

from ...config import Settings
from ...container import Container
from ...domain.errors import ConfigurationError
from ...ports import ExpenseStore
from ...ports.jobs import JobHandler, Jobs
from ...ports.reader import ReceiptReader
from ...services.cursors import CursorCodec
from ..common.clock import SystemClock
from ..memory_reader import MemoryReceiptReader
from .clients import (
    _CLIENTS,
    BASE_CONFIG,
    LazyClient,
    _made,
    _session,
    _shared_loader,
    close_connections,
    make_client,
    read_secret_value,
)
from .cognito_identity import CognitoIdentity
from .cognito_security import CognitoAccountSecurity
from .data_lake import LAKE_JOB, DataLakeStore, LakeCopier
from .dynamodb_imports import DynamoImportLedger
from .dynamodb_plans import DynamoPlans
from .dynamodb_rates import DynamoRatesTable, OverlayRates
from .dynamodb_rules import DynamoRuleStore
from .dynamodb_store import DynamoExpenseStore, DynamoProfiles
from .lane_wiring import MIN_SECRET_BYTES, checked_secret, make_identity
from .s3_exports import S3ExportFiles
from .s3_receipts import S3ReceiptStore
from .ses_mail import SesMailer
from .sqs_jobs import SqsJobs
from .textract_reader import TextractReader

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_textract import TextractClient

# Presigned POSTs and GETs are used by browsers, so they must name the bucket's own regional,
# virtual-hosted host (`<bucket>.s3.<region>.amazonaws.com`) and be signed with SigV4. The global
# host redirects (307) outside us-east-1 for up to a day after a bucket is made, which a CORS
# preflight cannot follow, and regions opened after March 2019 refuse it (400) for good; SigV2
# is refused in those regions too.
S3_CONFIG = Config(signature_version="s3v4", s3={"addressing_style": "virtual"})

# Re-exported: the tests and the Lambda handler reach them here.
__all__ = ["_CLIENTS", "MIN_SECRET_BYTES", "LazyClient", "_shared_loader", "close_connections"]


def _client(
    settings: Settings,
    service: str,
    endpoint: str | None,
    config: Config,
    session: botocore.session.Session | None = None,
) -> Any:
    """clients.make_client in the settings' region."""
    return make_client(settings.region, service, endpoint, config, session)


def _lazy(
    settings: Settings,
    service: str,
    endpoint: str | None,
    config: Config,
    session: botocore.session.Session,
) -> Any:
    return LazyClient(lambda: _client(settings, service, endpoint, config, session))


def s3_regional_endpoint(region: str) -> str:
    return f"https://s3.{region}.amazonaws.com"


@dataclass(frozen=True)
class AwsClients:
    dynamodb: DynamoDBClient
    s3: S3Client
    cognito: CognitoIdentityProviderClient
    textract: TextractClient | None = None  # made when scans are read by Textract
    sqs: SQSClient | None = None  # the jobs queue

    @classmethod
    def create(cls, settings: Settings, dynamodb: DynamoDBClient | None = None) -> AwsClients:
        """The table's client now (or the one given: the Lambda lane's); the others on their
        first call, with the credentials the one session found now (a function's role, or a
        test's keys, at build time)."""
        general = settings.aws_endpoint_url or None
        base, one = BASE_CONFIG, _session()
        s3_endpoint = general or s3_regional_endpoint(settings.region)
        dynamodb_endpoint = settings.dynamodb_endpoint_url or general
        # AnalyzeExpense takes a few seconds: the worker, not API Gateway, waits for it.
        textract_config = base.merge(Config(read_timeout=60))
        return cls(
            dynamodb=dynamodb or _made(_client(settings, "dynamodb", dynamodb_endpoint, base, one)),
            s3=_lazy(settings, "s3", s3_endpoint, base.merge(S3_CONFIG), one),
            cognito=_lazy(settings, "cognito-idp", general, base, one),
            textract=_lazy(settings, "textract", general, textract_config, one),
            sqs=_lazy(settings, "sqs", general, base, one),
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
    return checked_secret(secret, name)


def read_secret(settings: Settings, secret_id: str) -> str:
    return read_secret_value(settings.region, settings.aws_endpoint_url or None, secret_id)


def cognito_identity(settings: Settings, client: CognitoIdentityProviderClient) -> CognitoIdentity:
    return make_identity(
        settings.region,
        settings.user_pool_id,
        settings.user_pool_client_id,
        settings.jwks_url,
        client,
    )


def aws_jobs(settings: Settings, aws: AwsClients) -> Jobs:
    """Job records in the table and an SQS queue to the worker function. There is no other
    way to run a job on AWS: a missing queue is a configuration error, named at start."""
    if not settings.jobs_queue_url:
        raise ConfigurationError("The AWS backend needs EXPENSE_TRACKER_JOBS_QUEUE_URL")
    sqs = aws.sqs or _made(_client(settings, "sqs", settings.aws_endpoint_url or None, BASE_CONFIG))
    return SqsJobs(aws.dynamodb, settings.table_name, sqs, settings.jobs_queue_url, SystemClock())


def build_aws_container(
    settings: Settings,
    clients: AwsClients | None = None,
    *,
    secret: bytes | None = None,
    identity: CognitoIdentity | None = None,
) -> Container:
    """The wired services; `secret` and `identity` when already made (by the Lambda lane,
    whose reads the full app then shares: one secret read, one e-mail cache)."""
    secret = secret or cursor_secret(settings)
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
        identity=identity or cognito_identity(settings, aws.cognito),
        security=CognitoAccountSecurity(aws.cognito, client_id=settings.user_pool_client_id),
        profiles=DynamoProfiles(aws.dynamodb, settings.table_name, settings.default_currency),
        clock=SystemClock(),
        cursors=CursorCodec(secret),
        jobs=jobs,
        adapter_jobs=adapter_jobs,
        rates=OverlayRates(DynamoRatesTable(aws.dynamodb, settings.table_name)),
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


def rates_target(settings: Settings) -> tuple[DynamoRatesTable, str]:
    """For the daily rates function: the table (its only client) and the URL it fetches."""
    endpoint = settings.dynamodb_endpoint_url or settings.aws_endpoint_url or None
    client = _client(settings, "dynamodb", endpoint, BASE_CONFIG)
    return DynamoRatesTable(client, settings.table_name), settings.rates_daily_url or _ecb_90d()


def _ecb_90d() -> str:
    from currency_converter import ECB_URL  # here: the package is slow to import

    return str(ECB_URL).replace("eurofxref-hist.zip", "eurofxref-hist-90d.xml")


def ses_mailer(settings: Settings) -> SesMailer | None:
    """Alert e-mails through SES when a sender address is configured (off by default)."""
    if not settings.smtp_sender:
        return None
    client = _made(_client(settings, "sesv2", settings.aws_endpoint_url or None, BASE_CONFIG))
    return SesMailer(client, settings.smtp_sender)


def aws_reader(settings: Settings, aws: AwsClients) -> ReceiptReader:
    if settings.scan_reader == "memory":
        return MemoryReceiptReader()
    if settings.scan_reader in ("local", "rapidocr"):
        raise ConfigurationError("The local OCR engines are not part of the AWS package")
    if aws.textract is None:
        raise ConfigurationError("Textract reads receipts on AWS: no Textract client was made")
    return TextractReader(aws.textract)
