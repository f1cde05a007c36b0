"""The AWS deployment: expenses and profiles in DynamoDB, receipts in S3, accounts in Cognito,
and optionally a copy of every write in a data-lake bucket.

Imported only when `backend == "aws"` (bootstrap imports it lazily), so the local deployment
never loads boto3. Each boto3 client is made once here and shared: in Lambda that is once per
execution environment, and the clients keep their connection pools warm between invocations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from ...config import Settings
from ...container import Container
from ...domain.errors import ConfigurationError
from ...ports import ExpenseStore
from ...ports.reader import ReceiptReader
from ...services.cursors import CursorCodec
from ..common.clock import SystemClock
from ..memory import MemoryJobs, MemoryRates
from ..memory_reader import MemoryReceiptReader
from .cognito_identity import CognitoIdentity
from .cognito_tokens import AccessTokenRules, AccessTokenVerifier, JwksCache, cognito_issuer
from .data_lake import DataLakeStore
from .dynamodb_store import DynamoExpenseStore, DynamoProfiles
from .s3_receipts import S3ReceiptStore
from .textract_reader import TextractReader

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_textract import TextractClient

MIN_SECRET_BYTES = 32


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
        # Fail fast inside API Gateway's 30 s budget rather than hang on a stuck connection.
        base = Config(
            retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10
        )
        return cls(
            dynamodb=session.client(
                "dynamodb", endpoint_url=settings.dynamodb_endpoint_url or general, config=base
            ),
            # SigV4 for presigned POSTs and GETs: SigV2 is refused in newer regions.
            s3=session.client(
                "s3", endpoint_url=general, config=base.merge(Config(signature_version="s3v4"))
            ),
            cognito=session.client("cognito-idp", endpoint_url=general, config=base),
            # AnalyzeExpense takes a few seconds: the worker, not API Gateway, waits for it.
            textract=session.client(
                "textract", endpoint_url=general, config=base.merge(Config(read_timeout=60))
            ),
        )


def cursor_secret(settings: Settings) -> bytes:
    """There is no data dir to keep a generated secret in: it must be configured."""
    secret = settings.secret_key.get_secret_value().encode() if settings.secret_key else b""
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"EXPENSE_TRACKER_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes of random "
            "text on the AWS backend"
        )
    return secret


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


def build_aws_container(settings: Settings, clients: AwsClients | None = None) -> Container:
    secret = cursor_secret(settings)
    aws = clients or AwsClients.create(settings)
    store: ExpenseStore = DynamoExpenseStore(aws.dynamodb, settings.table_name)
    if settings.data_lake_bucket:
        store = DataLakeStore(store, aws.s3, settings.data_lake_bucket)
    return Container(
        settings=settings,
        store=store,
        receipts=S3ReceiptStore(aws.s3, settings.receipts_bucket),
        identity=cognito_identity(settings, aws.cognito),
        profiles=DynamoProfiles(aws.dynamodb, settings.table_name, settings.default_currency),
        clock=SystemClock(),
        cursors=CursorCodec(secret),
        # Interim: jobs run inline in the request until the place's own worker lands.
        jobs=MemoryJobs(SystemClock()),
        rates=MemoryRates({}),  # interim: the ECB history adapter replaces it
        reader=aws_reader(settings, aws),
    )


def aws_reader(settings: Settings, aws: AwsClients) -> ReceiptReader:
    if settings.scan_reader == "memory":
        return MemoryReceiptReader()
    if settings.scan_reader == "local":
        raise ConfigurationError("The local OCR engine is not part of the AWS package")
    if aws.textract is None:
        raise ConfigurationError("Textract reads receipts on AWS: no Textract client was made")
    return TextractReader(aws.textract)
