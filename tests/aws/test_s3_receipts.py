"""The S3 receipt store on moto's server.

moto does not enforce presigned-POST policies, so the policy document itself is checked: S3
enforces exactly what it says."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from expense_tracker.adapters.aws.s3_receipts import PENDING_TAGGING, SCAN_TAGGING, S3ReceiptStore
from expense_tracker.adapters.aws.wiring import AwsClients
from expense_tracker.domain.errors import NotFound, StorageError
from expense_tracker.domain.receipts import pending_key, receipt_key
from expense_tracker.domain.scans import scan_image_key
from tests.support.aws_stack import AwsStack

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

pytestmark = pytest.mark.aws

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture(scope="module")
def bucket(aws_stack: AwsStack) -> str:
    return aws_stack.new_bucket("receipts")


@pytest.fixture(scope="module")
def s3(aws_stack: AwsStack) -> S3Client:
    """Configured as the app configures it."""
    return AwsClients.create(aws_stack.settings()).s3


@pytest.fixture
def store(s3: S3Client, bucket: str) -> S3ReceiptStore:
    return S3ReceiptStore(s3, bucket)


def policy_of(fields: dict[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(base64.b64decode(fields["policy"]))
    return document


def upload(url: str, fields: dict[str, str], data: bytes, content_type: str) -> httpx.Response:
    return httpx.post(url, data=fields, files={"file": ("receipt", data, content_type)})


# The upload ticket


def test_the_ticket_policy_pins_bucket_key_type_and_size(
    store: S3ReceiptStore, bucket: str
) -> None:
    key = pending_key("user-1", "expense-1")
    ticket = store.upload_ticket(key, "image/png", 5000)
    conditions = policy_of(ticket.fields)["conditions"]
    assert {"bucket": bucket} in conditions
    assert {"key": key} in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert ["content-length-range", 1, 5000] in conditions
    # Nothing else is left for the client to choose: no starts-with conditions.
    assert not [c for c in conditions if isinstance(c, list) and c[0] == "starts-with"]
    assert (ticket.fields["key"], ticket.fields["Content-Type"]) == (key, "image/png")
    assert (ticket.max_bytes, ticket.expires_in) == (5000, 300)


def test_the_ticket_expires_within_five_minutes(store: S3ReceiptStore) -> None:
    before = time.time()
    ticket = store.upload_ticket(pending_key("u", "e"), "application/pdf", 10)
    expiration = policy_of(ticket.fields)["expiration"]
    expires = datetime.strptime(expiration, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before < expires.timestamp() <= before + 300 + 1


def test_the_ticket_is_signed_with_signature_version_4(store: S3ReceiptStore) -> None:
    fields = store.upload_ticket(pending_key("u", "e"), "image/jpeg", 10).fields
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert {"x-amz-credential", "x-amz-date", "x-amz-signature"} <= set(fields)
    conditions = policy_of(fields)["conditions"]
    assert {"x-amz-algorithm": "AWS4-HMAC-SHA256"} in conditions


def test_an_upload_with_the_ticket_can_be_inspected(store: S3ReceiptStore) -> None:
    key = pending_key("user-2", "expense-2")
    ticket = store.upload_ticket(key, "image/png", len(PNG))
    assert upload(ticket.url, ticket.fields, PNG, "image/png").status_code in (200, 204)
    found = store.inspect(key)
    assert found is not None
    assert (found.size, found.head, found.content_type) == (len(PNG), PNG[:64], "image/png")


def test_the_ticket_tags_the_upload_as_pending_for_the_expiry_rule(store: S3ReceiptStore) -> None:
    # The bucket's lifecycle rule (infra/template.yaml) expires objects tagged pending, so an
    # upload that is never confirmed goes away. moto ignores a POST's tagging field, so the
    # ticket itself is the guarantee: the field is set and the signed policy pins it.
    ticket = store.upload_ticket(pending_key("user-3", "expense-3"), "image/png", len(PNG))
    assert ticket.fields["tagging"] == PENDING_TAGGING
    assert {"tagging": PENDING_TAGGING} in policy_of(ticket.fields)["conditions"]
    assert "<Key>receipt-state</Key><Value>pending</Value>" in PENDING_TAGGING


# Objects


def test_inspect_of_a_missing_key_is_none(store: S3ReceiptStore) -> None:
    assert store.inspect(pending_key("nobody", "nothing")) is None


def test_inspect_of_a_small_object_reads_it_whole(store: S3ReceiptStore) -> None:
    key = receipt_key("user-3", "expense-3", "small")
    store.write(key, b"%PDF-1.7", "application/pdf")
    found = store.inspect(key)
    assert found is not None
    assert (found.size, found.head, found.content_type) == (8, b"%PDF-1.7", "application/pdf")


def test_inspect_of_an_empty_object_is_size_zero(store: S3ReceiptStore) -> None:
    key = receipt_key("user-3", "expense-3", "empty")
    store.write(key, b"", "image/png")
    found = store.inspect(key)
    assert found is not None
    assert (found.size, found.head) == (0, b"")


def test_write_read_and_delete(store: S3ReceiptStore) -> None:
    key = receipt_key("user-4", "expense-4", "r1")
    store.write(key, PNG, "image/png")
    assert store.read(key) == PNG
    store.delete(key)
    assert store.inspect(key) is None
    with pytest.raises(NotFound):
        store.read(key)
    store.delete(key)  # deleting again is fine


def test_a_scan_photo_is_tagged_for_expiry_and_a_receipt_is_not(
    store: S3ReceiptStore, s3: S3Client, bucket: str
) -> None:
    photo, receipt = scan_image_key("u1", "S1"), receipt_key("u1", "S1", "R1")
    store.write(photo, PNG, "image/png")
    store.write(receipt, PNG, "image/png")
    tags = {
        key: s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"] for key in (photo, receipt)
    }
    assert SCAN_TAGGING == "scan-photo=true"
    assert tags == {photo: [{"Key": "scan-photo", "Value": "true"}], receipt: []}


def test_the_view_link_is_short_lived_inline_and_typed(store: S3ReceiptStore) -> None:
    key = receipt_key("user-5", "expense-5", "r1")
    store.write(key, PNG, "image/png")
    url = store.view_url(key, "image/png")
    query = parse_qs(urlparse(url).query)
    assert 0 < int(query["X-Amz-Expires"][0]) <= 300
    assert query["response-content-disposition"] == ["inline"]
    assert query["response-content-type"] == ["image/png"]
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"] == "inline"


def test_the_inventory_lists_keys_with_sizes(aws_stack: AwsStack, s3: S3Client) -> None:
    store = S3ReceiptStore(s3, aws_stack.new_bucket("inventory"))
    keys = [receipt_key("user-6", "expense-6", name) for name in ("a", "b")]
    for key in keys:
        store.write(key, PNG, "image/png")
    listed = sorted(store.list_objects(), key=lambda found: found.key)
    assert [(found.key, found.size) for found in listed] == [(k, len(PNG)) for k in keys]
    assert all(found.modified.tzinfo is not None for found in listed)
    assert store.sweep_scratch(datetime.now(UTC)) == 0


def test_a_missing_bucket_is_a_storage_error_without_sdk_text(s3: S3Client) -> None:
    store = S3ReceiptStore(s3, "no-such-bucket-here")
    with pytest.raises(StorageError) as failed:
        store.write("users/u/receipts/e/r", b"x", "image/png")
    assert failed.value.detail == "S3 PUT failed (NoSuchBucket)"
    with pytest.raises(StorageError):
        store.inspect("users/u/receipts/e/r")
