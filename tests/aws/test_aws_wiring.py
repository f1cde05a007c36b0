"""Settings -> the AWS container: what is checked at start, what gets built, and the optional
data lake end to end through the Lambda handler."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from expense_tracker.adapters.aws import wiring
from expense_tracker.adapters.aws.cognito_identity import CognitoIdentity
from expense_tracker.adapters.aws.data_lake import LAKE_JOB, DataLakeStore
from expense_tracker.adapters.aws.dynamodb_rates import OverlayRates
from expense_tracker.adapters.aws.dynamodb_store import DynamoExpenseStore, DynamoProfiles
from expense_tracker.adapters.aws.s3_receipts import S3ReceiptStore
from expense_tracker.adapters.aws.textract_reader import TextractReader
from expense_tracker.adapters.aws.wiring import build_aws_container
from expense_tracker.bootstrap import build_container
from expense_tracker.config import Settings
from expense_tracker.domain.errors import ConfigurationError
from expense_tracker.entrypoints.lambda_handler import make_handler, make_worker
from tests.support.aws_stack import AwsStack, gateway_authorizer, lambda_api

pytestmark = pytest.mark.aws

AWS_FIELDS = (
    "region",
    "table_name",
    "receipts_bucket",
    "user_pool_id",
    "user_pool_client_id",
    "jobs_queue_url",
)


def test_missing_aws_settings_are_named_at_start() -> None:
    empty = Settings.model_validate(
        {"backend": "aws", "secret_key": None, **dict.fromkeys(AWS_FIELDS, "")}
    )
    with pytest.raises(ConfigurationError) as refused:
        build_container(empty)
    named = [f"EXPENSE_TRACKER_{field.upper()}" for field in (*AWS_FIELDS, "secret_arn")]
    assert all(name in refused.value.detail for name in named), refused.value.detail


def test_a_short_secret_key_is_refused(aws_stack: AwsStack) -> None:
    with pytest.raises(ConfigurationError) as refused:
        build_container(aws_stack.settings(secret_key="change-me"))
    assert "EXPENSE_TRACKER_SECRET_KEY" in refused.value.detail


def test_the_container_holds_the_aws_adapters(aws_stack: AwsStack) -> None:
    container = build_container(aws_stack.settings())
    assert isinstance(container.store, DynamoExpenseStore)
    assert isinstance(container.profiles, DynamoProfiles)
    assert isinstance(container.receipts, S3ReceiptStore)
    assert isinstance(container.identity, CognitoIdentity)
    assert isinstance(container.reader, TextractReader)
    assert isinstance(container.rates, OverlayRates)  # the stored daily rates over the shipped
    assert container.accounts is None  # account administration is the CLI's, locally


def test_a_missing_jobs_queue_is_a_configuration_error_not_inline_jobs(
    aws_stack: AwsStack,
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        build_container(aws_stack.settings(jobs_queue_url=""))
    assert "EXPENSE_TRACKER_JOBS_QUEUE_URL" in refused.value.detail
    with pytest.raises(ConfigurationError):
        build_aws_container(aws_stack.settings(jobs_queue_url=""))  # past bootstrap's check


def test_the_aws_wiring_never_loads_the_memory_fakes() -> None:
    source = Path(wiring.__file__).read_text(encoding="utf-8")
    assert "MemoryJobs" not in source and "from ..memory import" not in source


def test_five_clients_serve_everything_only_the_tables_made_at_build(
    aws_stack: AwsStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    create_client = botocore.session.Session.create_client

    def counting(self: botocore.session.Session, service: str, **kwargs: Any) -> Any:
        made.append(service)
        return create_client(self, service, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", counting)
    clients = wiring.AwsClients.create(aws_stack.settings())
    container = build_aws_container(aws_stack.settings(data_lake_bucket="lake"), clients)
    assert isinstance(container.store, DataLakeStore)
    assert LAKE_JOB in container.adapter_jobs
    assert made == ["dynamodb"]  # the cold start's: the others wait for their first call
    for lazy in (clients.s3, clients.cognito, clients.sqs, clients.textract):
        assert lazy is not None
        lazy.meta.region_name  # noqa: B018 - the first use makes it
        lazy.meta.region_name  # noqa: B018 - and only once
    assert sorted(made) == ["cognito-idp", "dynamodb", "s3", "sqs", "textract"]


def test_with_a_data_lake_every_write_through_the_api_lands_in_it_by_the_worker(
    aws_stack: AwsStack,
) -> None:
    lake = aws_stack.new_bucket("lake")
    settings = aws_stack.settings(data_lake_bucket=lake)
    handler, worker = make_handler(settings), make_worker(settings)
    api = lambda_api(handler, aws_stack, gateway_authorizer(aws_stack), worker)
    user = api.new_user("lake")
    try:
        created = user.add(amount="7.25", category="Travel")
        year, month, _ = created["date"].split("-")
        key = f"expenses/year={year}/month={month}/{user.user_id}/{created['id']}.json"
        document = json.loads(aws_stack.s3.get_object(Bucket=lake, Key=key)["Body"].read())
        assert (document["amount"], document["category"]) == ("7.25", "Travel")
        assert user.client.delete(f"/api/expenses/{created['id']}").status_code == 204
        listed = aws_stack.s3.list_objects_v2(Bucket=lake, Prefix=key)
        assert listed.get("KeyCount", 0) == 0
    finally:
        user.client.close()
