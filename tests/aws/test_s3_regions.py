"""What real S3 does that moto does not: regional hosts for browser URLs, and 403 for a missing
key when the caller may not list the bucket.

moto answers on one host in every region and never enforces IAM, so these tests look at the
URLs the real client builds (signing needs no network) and at the adapter's handling of the
answer real S3 gives (a botocore Stubber returns it), instead of at moto's behaviour."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from botocore.stub import Stubber

from expense_tracker.adapters.aws.s3_receipts import S3ReceiptStore
from expense_tracker.adapters.aws.wiring import AwsClients
from expense_tracker.config import Settings
from expense_tracker.domain.errors import NotFound
from expense_tracker.domain.receipts import pending_key

BUCKET = "household-receipts-abc123"
# us-east-1, an older region, and regions opened after March 2019 (the global host is refused).
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "eu-south-2", "ca-west-1", "mx-central-1"]


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret")


def _settings(region: str) -> Settings:
    """As the Lambda has them: no endpoint override."""
    return Settings(
        backend="aws", region=region, table_name="t", receipts_bucket=BUCKET,
        user_pool_id=f"{region}_pool", user_pool_client_id="client", aws_endpoint_url="",
    )  # fmt: skip


def _store(region: str) -> S3ReceiptStore:
    return S3ReceiptStore(AwsClients.create(_settings(region)).s3, BUCKET)


@pytest.mark.parametrize("region", REGIONS)
def test_upload_tickets_post_to_the_buckets_regional_virtual_host(region: str) -> None:
    ticket = _store(region).upload_ticket(pending_key("u", "e"), "image/png", 9)
    assert urlparse(ticket.url).netloc == f"{BUCKET}.s3.{region}.amazonaws.com"
    credential = ticket.fields["x-amz-credential"].split("/")
    assert credential[2:4] == [region, "s3"]  # SigV4, scoped to the bucket's region
    assert ticket.fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"


@pytest.mark.parametrize("region", REGIONS)
def test_view_urls_use_the_buckets_regional_virtual_host(region: str) -> None:
    url = urlparse(_store(region).view_url("receipts/u/e/r", "image/png"))
    assert url.netloc == f"{BUCKET}.s3.{region}.amazonaws.com"
    assert url.path == "/receipts/u/e/r"
    query = parse_qs(url.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert f"/{region}/s3/" in query["X-Amz-Credential"][0]


def _denied() -> tuple[S3ReceiptStore, Stubber]:
    client = AwsClients.create(_settings("eu-south-2")).s3
    stubber = Stubber(client)
    stubber.add_client_error("get_object", service_error_code="AccessDenied", http_status_code=403)
    return S3ReceiptStore(client, BUCKET), stubber


def test_a_missing_upload_answered_with_403_is_missing_not_a_storage_error() -> None:
    """Real S3, for a caller without s3:ListBucket, answers 403 AccessDenied for a missing key;
    a confirm of nothing uploaded must then be 409, so inspect says "nothing there"."""
    store, stubber = _denied()
    with stubber:
        assert store.inspect(pending_key("u", "never-uploaded")) is None
    stubber.assert_no_pending_responses()


def test_reading_a_missing_receipt_answered_with_403_is_not_found() -> None:
    store, stubber = _denied()
    with stubber, pytest.raises(NotFound):
        store.read("receipts/u/e/gone")
