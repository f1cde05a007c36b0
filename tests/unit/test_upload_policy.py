"""The presigned-POST policy: the conditions are exactly the ones S3 enforces (the AWS stand-in
does not check them, so these tests are the guarantee), and the local upload target enforces
them the same way: signature, expiry, exact key and type, size range, single use."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.common.upload_policy import (
    LengthRange,
    check_form,
    check_length,
    decode_policy,
    encode_policy,
    policy_document,
    sign_policy,
    signature_matches,
    upload_conditions,
)
from expense_tracker.adapters.local.files import TICKET_FIELD, LocalReceiptStore
from expense_tracker.domain.errors import BadRequest, Forbidden

KEY = "users/u-1/receipts/E1/pending"
NOW = datetime(2026, 11, 24, 19, 0, 0, tzinfo=UTC)
SECRET = b"k" * 32


def form(**overrides: str) -> dict[str, str]:
    return {"key": KEY, "Content-Type": "image/png", **overrides}


def document(max_bytes: int = 1000, **extra: str) -> dict[str, Any]:
    conditions = upload_conditions(
        key=KEY, content_type="image/png", max_bytes=max_bytes, extra=extra
    )
    return policy_document(conditions, NOW + timedelta(minutes=5))


def test_conditions_pin_exact_key_exact_type_and_size_range_in_s3_format() -> None:
    conditions = upload_conditions(
        key=KEY, content_type="image/png", max_bytes=4096, bucket="receipts-bucket"
    )
    assert conditions == [
        {"bucket": "receipts-bucket"},
        {"key": KEY},
        {"Content-Type": "image/png"},
        ["content-length-range", 1, 4096],
    ]


def test_policy_is_base64_json_with_a_utc_expiration_as_s3_expects() -> None:
    encoded = encode_policy(document())
    raw = json.loads(base64.b64decode(encoded))
    assert raw["expiration"] == "2026-11-24T19:05:00.000Z"
    assert raw["conditions"][0] == {"key": KEY}
    assert decode_policy(encoded) == raw


def test_matching_form_passes_and_yields_its_size_range() -> None:
    assert check_form(document(), form(), NOW) == LengthRange(1, 1000)


@pytest.mark.parametrize(
    "tampered",
    [
        form(key="users/u-2/receipts/E9/pending"),  # another user's key
        form(key=KEY + "x"),  # exact, not a prefix
        form(**{"Content-Type": "text/html"}),
        {"key": KEY},  # a condition's field is missing
        form(acl="public-read"),  # a field no condition covers
        form(success_action_redirect="https://evil.example"),
    ],
)
def test_form_outside_the_policy_is_forbidden(tampered: dict[str, str]) -> None:
    with pytest.raises(Forbidden):
        check_form(document(), tampered, NOW)


def test_field_names_match_case_insensitively_and_x_ignore_fields_are_free() -> None:
    fields = {"KEY": KEY, "content-type": "image/png", "x-ignore-note": "anything"}
    assert check_form(document(), fields, NOW).maximum == 1000


def test_policy_expires_at_its_expiration() -> None:
    check_form(document(), form(), NOW + timedelta(minutes=5) - timedelta(seconds=1))
    with pytest.raises(Forbidden, match="expired"):
        check_form(document(), form(), NOW + timedelta(minutes=5))


def test_starts_with_and_eq_conditions_work_as_in_s3() -> None:
    doc = policy_document(
        [["starts-with", "$key", "users/u-1/"], ["eq", "$Content-Type", "image/png"]],
        NOW + timedelta(minutes=1),
    )
    check_form(doc, form(), NOW)
    with pytest.raises(Forbidden):
        check_form(doc, form(key="users/u-2/x"), NOW)


def test_size_outside_the_range_is_entity_too_large_or_too_small() -> None:
    limits = LengthRange(1, 1000)
    check_length(limits, 1000)
    with pytest.raises(BadRequest, match="exceeds"):
        check_length(limits, 1001)
    with pytest.raises(BadRequest, match="smaller"):
        check_length(limits, 0)


def test_signature_binds_policy_and_key() -> None:
    policy = encode_policy(document())
    signature = sign_policy(policy, SECRET)
    assert signature_matches(policy, signature, SECRET)
    assert not signature_matches(policy, signature, b"other" * 8)
    assert not signature_matches(encode_policy(document(max_bytes=10**9)), signature, SECRET)
    flipped = signature[:-1] + ("1" if signature[-1] == "0" else "0")
    assert not signature_matches(policy, flipped, SECRET)


def test_boto3_presigned_post_carries_our_conditions_unchanged() -> None:
    """The S3 adapter hands these conditions to boto3; S3 then enforces exactly them."""
    s3 = boto3.client(
        "s3", region_name="eu-west-1", aws_access_key_id="AKID", aws_secret_access_key="secret"
    )
    ours = upload_conditions(key=KEY, content_type="image/png", max_bytes=4096)
    post = s3.generate_presigned_post(
        "receipts-bucket",
        KEY,
        Fields={"Content-Type": "image/png"},
        Conditions=[c for c in ours if not (isinstance(c, dict) and "key" in c)],
        ExpiresIn=300,
    )
    boto_doc = decode_policy(post["fields"]["policy"])
    assert all(c in boto_doc["conditions"] for c in ours)
    now = datetime.now(UTC)
    assert check_form(boto_doc, post["fields"], now, bucket="receipts-bucket").maximum == 4096
    with pytest.raises(Forbidden):
        check_form(
            boto_doc, {**post["fields"], "key": "users/u-2/x"}, now, bucket="receipts-bucket"
        )


# -- the local upload target's enforcement ------------------------------------------------


def local_store(root: Path, clock: FixedClock) -> LocalReceiptStore:
    return LocalReceiptStore(root, SECRET, "http://127.0.0.1:1", clock=clock)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> LocalReceiptStore:
    return local_store(tmp_path, clock)


def test_local_ticket_is_a_signed_s3_style_form(store: LocalReceiptStore) -> None:
    ticket = store.upload_ticket(KEY, "image/png", 500)
    assert ticket.url == "http://127.0.0.1:1/api/_local/receipts/upload"
    assert ticket.expires_in <= 300 and ticket.max_bytes == 500
    doc = decode_policy(ticket.fields["policy"])
    assert doc["expiration"] == "2026-11-24T19:05:00.000Z"
    assert {"key": KEY} in doc["conditions"]
    assert ["content-length-range", 1, 500] in doc["conditions"]
    assert {TICKET_FIELD: ticket.fields[TICKET_FIELD]} in doc["conditions"]


def test_local_upload_lands_only_on_commit(store: LocalReceiptStore) -> None:
    upload = store.begin_upload(store.upload_ticket(KEY, "image/png", 500).fields)
    upload.write(b"\x89PNG" + b"\x00" * 96)
    assert store.inspect(KEY) is None  # nothing visible while streaming
    upload.commit()
    found = store.inspect(KEY)
    assert found is not None and found.size == 100 and found.content_type == "image/png"


def test_local_upload_over_the_declared_size_is_refused_while_streaming(
    store: LocalReceiptStore,
) -> None:
    upload = store.begin_upload(store.upload_ticket(KEY, "image/png", 100).fields)
    upload.write(b"x" * 100)
    with pytest.raises(BadRequest, match="exceeds"):
        upload.write(b"x")
    upload.abort()
    assert store.inspect(KEY) is None


def test_local_empty_upload_is_refused(store: LocalReceiptStore) -> None:
    upload = store.begin_upload(store.upload_ticket(KEY, "image/png", 100).fields)
    with pytest.raises(BadRequest, match="smaller"):
        upload.commit()
    assert store.inspect(KEY) is None


def test_local_ticket_works_once_even_across_a_restart(
    tmp_path: Path, store: LocalReceiptStore, clock: FixedClock
) -> None:
    fields = store.upload_ticket(KEY, "image/png", 100).fields
    store.begin_upload(fields).abort()
    with pytest.raises(Forbidden, match="already used"):
        store.begin_upload(fields)
    with pytest.raises(Forbidden, match="already used"):
        local_store(tmp_path, clock).begin_upload(fields)


def test_local_expired_ticket_is_refused(store: LocalReceiptStore, clock: FixedClock) -> None:
    fields = store.upload_ticket(KEY, "image/png", 100).fields
    clock.advance(timedelta(seconds=300))
    with pytest.raises(Forbidden, match="expired"):
        store.begin_upload(fields)


@pytest.mark.parametrize(
    "change",
    [
        {"key": "users/u-2/receipts/E9/pending"},
        {"Content-Type": "text/html"},
        {"x-amz-signature": "0" * 64},
        {TICKET_FIELD: "another-ticket-id-12345"},
    ],
)
def test_local_tampered_form_is_refused(store: LocalReceiptStore, change: dict[str, str]) -> None:
    fields = {**store.upload_ticket(KEY, "image/png", 100).fields, **change}
    with pytest.raises(Forbidden):
        store.begin_upload(fields)


def test_local_policy_widened_by_the_client_fails_the_signature(store: LocalReceiptStore) -> None:
    fields = store.upload_ticket(KEY, "image/png", 100).fields
    doc = decode_policy(fields["policy"])
    doc["conditions"] = [c for c in doc["conditions"] if not isinstance(c, list)]
    with pytest.raises(Forbidden, match="signature"):
        store.begin_upload({**fields, "policy": encode_policy(doc)})


def test_local_ticket_of_another_server_secret_is_refused(
    tmp_path: Path, clock: FixedClock
) -> None:
    other = LocalReceiptStore(tmp_path / "other", b"x" * 32, "", clock=clock)
    fields = other.upload_ticket(KEY, "image/png", 100).fields
    with pytest.raises(Forbidden, match="signature"):
        local_store(tmp_path / "mine", clock).begin_upload(fields)


def test_local_view_link_expires_and_refuses_tampering(
    store: LocalReceiptStore, clock: FixedClock
) -> None:
    store.write("users/u-1/receipts/E1/R1", b"%PDF-1.4 ...", "application/pdf")
    url = store.view_url("users/u-1/receipts/E1/R1", "application/pdf")
    token = url.rsplit("/", 1)[1]
    assert store.open_view(token).content_type == "application/pdf"
    payload, signature = token.split(".")
    with pytest.raises(Forbidden):
        store.open_view(payload + "." + signature[::-1])
    with pytest.raises(Forbidden):
        store.open_view(payload[:-2] + "." + signature)
    clock.advance(timedelta(seconds=300))
    with pytest.raises(Forbidden, match="expired"):
        store.open_view(token)
