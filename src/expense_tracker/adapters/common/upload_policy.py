"""S3 presigned-POST policies: build the conditions, encode and sign them, check a form.

The conditions use S3's own format (docs: "Creating a POST policy"), so the S3 adapter hands the
same list to boto3's generate_presigned_post and S3 enforces it, while the local upload target
enforces it with `check_form`. Nothing checks the policy on the AWS stand-in (moto), so the
unit tests of this module are what proves the limits hold."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ...domain.errors import BadRequest, Forbidden

Condition = dict[str, str] | list[Any]
POLICY = "policy"
SIGNATURE = "x-amz-signature"
FILE = "file"
# Fields S3 never requires a condition for (everything else in the form must be covered);
# "awsaccesskeyid" and "signature" are those of signature version 2, which boto3 may use.
EXEMPT = {POLICY, SIGNATURE, FILE, "awsaccesskeyid", "signature"}
EXPIRATION_FORMAT = "%Y-%m-%dT%H:%M:%S.000Z"  # what boto3 writes; S3 wants ISO 8601 in UTC


@dataclass(frozen=True)
class LengthRange:
    """S3's content-length-range: the file's size, both ends inclusive."""

    minimum: int
    maximum: int


def upload_conditions(
    *,
    key: str,
    content_type: str,
    max_bytes: int,
    bucket: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> list[Condition]:
    """The exact key, the exact Content-Type, 1..max_bytes, and any extra exact fields."""
    conditions: list[Condition] = [{"bucket": bucket}] if bucket else []
    conditions += [
        {"key": key},
        {"Content-Type": content_type},
        ["content-length-range", 1, max_bytes],
    ]
    conditions += [{name: value} for name, value in (extra or {}).items()]
    return conditions


def policy_document(conditions: list[Condition], expires_at: datetime) -> dict[str, Any]:
    expiration = expires_at.astimezone(UTC).strftime(EXPIRATION_FORMAT)
    return {"expiration": expiration, "conditions": conditions}


def encode_policy(document: Mapping[str, Any]) -> str:
    """The `policy` form field: base64 of the JSON document, as S3 expects it."""
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=True)
    return base64.b64encode(text.encode()).decode("ascii")


def decode_policy(policy: str) -> dict[str, Any]:
    try:
        document = json.loads(base64.b64decode(policy.encode("ascii"), validate=True))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise Forbidden("Invalid Policy: the policy is not base64-encoded JSON") from exc
    if not isinstance(document, dict) or not isinstance(document.get("conditions"), list):
        raise Forbidden("Invalid Policy: the policy has no conditions")
    return document


def sign_policy(policy: str, key: bytes) -> str:
    return hmac.new(key, policy.encode("ascii"), hashlib.sha256).hexdigest()


def signature_matches(policy: str, signature: str, key: bytes) -> bool:
    try:
        expected = sign_policy(policy, key)
    except UnicodeError:
        return False
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def expiration_of(document: Mapping[str, Any]) -> datetime:
    """ISO 8601 in UTC, with or without milliseconds (boto3 writes either)."""
    text = str(document.get("expiration", ""))
    try:
        when = datetime.fromisoformat(text) if text.endswith("Z") else None
    except ValueError:
        when = None
    if when is None or when.utcoffset() != timedelta(0):
        raise Forbidden("Invalid Policy: the expiration is not a UTC time")
    return when


def check_form(
    document: Mapping[str, Any],
    fields: Mapping[str, str],
    now: datetime,
    bucket: str | None = None,
) -> LengthRange:
    """Enforce a (verified) policy on a form, as S3 does: not expired, every condition met,
    every field covered by a condition. Field names match case-insensitively; values exactly.
    Returns the size range the file must fall in, checked while it streams."""
    if now >= expiration_of(document):
        raise Forbidden("Invalid according to Policy: Policy expired")
    form = {name.lower(): value for name, value in fields.items()}
    if bucket is not None:
        form["bucket"] = bucket
    covered: set[str] = set()
    length = LengthRange(0, 2**63 - 1)
    for condition in document["conditions"]:
        if isinstance(condition, list) and condition[:1] == ["content-length-range"]:
            length = _length_range(condition)
        else:
            covered.add(_check_condition(condition, form))
    extra = sorted(n for n in form if n not in covered | EXEMPT and not n.startswith("x-ignore-"))
    if extra:
        raise Forbidden(f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")
    return length


def _check_condition(condition: object, form: Mapping[str, str]) -> str:
    """Check one exact-match or starts-with condition; the field name it covers."""
    if isinstance(condition, dict) and len(condition) == 1:
        ((name, expected),) = condition.items()
        operator, name = "eq", str(name).lower()
    elif isinstance(condition, list) and len(condition) == 3 and str(condition[1])[:1] == "$":
        operator, name, expected = (
            str(condition[0]).lower(),
            str(condition[1])[1:].lower(),
            condition[2],
        )
    else:
        raise Forbidden("Invalid Policy: a condition is malformed")
    actual = form.get(name)
    if actual is None:
        raise Forbidden(f"Invalid according to Policy: Policy Condition failed: {name}")
    if operator == "eq":
        met = actual == str(expected)
    elif operator == "starts-with":
        met = actual.startswith(str(expected))
    else:
        raise Forbidden(f"Invalid Policy: unknown operator {operator}")
    if not met:
        raise Forbidden(f"Invalid according to Policy: Policy Condition failed: {name}")
    return name


def _length_range(condition: list[Any]) -> LengthRange:
    if len(condition) != 3 or not all(type(v) is int and v >= 0 for v in condition[1:]):
        raise Forbidden("Invalid Policy: content-length-range needs two whole numbers")
    return LengthRange(condition[1], condition[2])


def check_length(limits: LengthRange, size: int) -> None:
    """S3's EntityTooLarge / EntityTooSmall (both 400)."""
    if size > limits.maximum:
        raise BadRequest("Your proposed upload exceeds the maximum allowed size")
    if size < limits.minimum:
        raise BadRequest("Your proposed upload is smaller than the minimum allowed size")
