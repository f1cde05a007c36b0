"""Receipts in S3: browsers upload straight to the bucket with a presigned POST, and view them
through short-lived presigned GETs. The Lambda never carries the bytes of an upload.

The POST policy pins everything the client could otherwise choose: the exact key, the exact
Content-Type and a size range, and it expires after at most five minutes. S3 enforces it; moto
does not, so tests check the policy document itself."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from botocore.exceptions import BotoCoreError, ClientError

from ...domain.errors import NotFound, StorageError
from ...domain.receipts import HEAD_BYTES, TICKET_SECONDS, VIEW_SECONDS
from ...domain.scans import is_scan_key
from ...ports import ObjectInfo, StoredObject, UploadTicket
from ..common.upload_policy import upload_conditions
from .errors import error_code, storage_errors

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_MISSING = {"NoSuchKey", "404", "NotFound"}
# Without s3:ListBucket on a key's prefix (the function may list users/* only, for the storage
# quota), S3 answers a GET of a missing key with 403 AccessDenied, not 404, so that a caller
# cannot probe which keys exist. The function is granted s3:GetObject on every key it asks for
# (tests/infra checks the policy), so here a 403 means the upload never happened.
_MISSING_WITHOUT_LIST = _MISSING | {"AccessDenied", "403"}


def s3_errors(operation: str) -> AbstractContextManager[None]:
    return storage_errors("S3", operation)


# The bucket's lifecycle rule expires objects with this tag: an upload that is never
# confirmed disappears after a day. Confirmed receipts are written without it.
PENDING_TAGGING = (
    "<Tagging><TagSet><Tag><Key>receipt-state</Key><Value>pending</Value></Tag></TagSet></Tagging>"
)
# A scan's photo is kept until an expense takes it (a copy under a receipt key, untagged) or
# the lifecycle rule expires it a day later.
SCAN_TAGGING = "scan-photo=true"


class S3ReceiptStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    def upload_ticket(self, key: str, content_type: str, max_bytes: int) -> UploadTicket:
        # The same conditions the local upload target enforces; boto3 adds {"bucket"}.
        conditions: list[Any] = upload_conditions(
            key=key,
            content_type=content_type,
            max_bytes=max_bytes,
            extra={"tagging": PENDING_TAGGING},
        )
        with s3_errors("presigned POST"):
            post = self._s3.generate_presigned_post(
                self._bucket,
                key,
                Fields={"Content-Type": content_type, "tagging": PENDING_TAGGING},
                Conditions=conditions,
                ExpiresIn=TICKET_SECONDS,
            )
        return UploadTicket(post["url"], dict(post["fields"]), TICKET_SECONDS, max_bytes)

    def inspect(self, key: str) -> StoredObject | None:
        """One ranged GET: the first bytes, and the total size from Content-Range."""
        try:
            found = self._s3.get_object(
                Bucket=self._bucket, Key=key, Range=f"bytes=0-{HEAD_BYTES - 1}"
            )
            head = found["Body"].read()
        except ClientError as exc:
            code = error_code(exc)
            if code in _MISSING_WITHOUT_LIST:
                return None
            if code == "InvalidRange":  # an empty object has no byte 0
                return StoredObject(0, b"")
            raise StorageError(f"S3 ranged GET failed ({code})") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 ranged GET failed ({type(exc).__name__})") from exc
        size = _total_size(found.get("ContentRange"), len(head))
        return StoredObject(size, head, found.get("ContentType") or None)

    def read(self, key: str) -> bytes:
        try:
            return self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if error_code(exc) in _MISSING_WITHOUT_LIST:
                raise NotFound("No such receipt") from exc
            raise StorageError(f"S3 GET failed ({error_code(exc)})") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 GET failed ({type(exc).__name__})") from exc

    def open_stream(self, key: str) -> BinaryIO:
        try:
            body = self._s3.get_object(Bucket=self._bucket, Key=key)["Body"]
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                raise NotFound("No such receipt") from exc
            raise StorageError(f"S3 GET failed ({error_code(exc)})") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 GET failed ({type(exc).__name__})") from exc
        return cast(BinaryIO, io.BufferedReader(_BodyReader(body), buffer_size=STREAM_CHUNK))

    def write(self, key: str, data: bytes, content_type: str) -> None:
        with s3_errors("PUT"):
            if is_scan_key(key):
                self._s3.put_object(
                    Bucket=self._bucket,
                    Key=key,
                    Body=data,
                    ContentType=content_type,
                    Tagging=SCAN_TAGGING,
                )
            else:
                self._s3.put_object(
                    Bucket=self._bucket, Key=key, Body=data, ContentType=content_type
                )

    def view_url(self, key: str, content_type: str) -> str:
        # Inline with the stored type, never what the uploader's file name suggested.
        params = {
            "Bucket": self._bucket,
            "Key": key,
            "ResponseContentDisposition": "inline",
            "ResponseContentType": content_type,
        }
        with s3_errors("presigned GET"):
            return self._s3.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=VIEW_SECONDS
            )

    def delete(self, key: str) -> None:
        """Deleting a missing key succeeds, as S3 itself answers."""
        with s3_errors("DELETE"):
            self._s3.delete_object(Bucket=self._bucket, Key=key)

    # Garbage collection (ReceiptInventory) and the storage quota (one user's prefix)
    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        with s3_errors("LIST"):
            paginator = self._s3.get_paginator("list_objects_v2")
            pages = paginator.paginate(Bucket=self._bucket, Prefix=prefix)
            for page in pages:
                for found in page.get("Contents", []):
                    yield ObjectInfo(found["Key"], found["Size"], found["LastModified"])

    def sweep_scratch(self, older_than: datetime) -> int:  # noqa: ARG002 - the port's shape
        """Uploads go straight to their key: S3 leaves no scratch behind."""
        return 0


def _total_size(content_range: str | None, fallback: int) -> int:
    """`bytes 0-63/182044` -> 182044. Without a range (a small object served whole) the
    body is the whole object."""
    if content_range and "/" in content_range:
        total = content_range.rsplit("/", 1)[1]
        if total.isdigit():
            return int(total)
    return fallback


STREAM_CHUNK = 256 * 1024


class _BodyReader(io.RawIOBase):
    """botocore's StreamingBody as a raw binary file, so it can be buffered and decoded."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()
