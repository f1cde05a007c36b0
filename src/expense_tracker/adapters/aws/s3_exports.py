"""Export files in S3, written as multipart uploads part by part (constant memory: one part
buffered at a time) and fetched with a presigned GET that downloads as an attachment.

Keys live under the user's prefix (`users/<user>/exports/...`), which the function may already
write; uploads are tagged so the bucket's lifecycle rule expires them after a day."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, BinaryIO, cast

from botocore.exceptions import ClientError

from ...domain.errors import StorageError
from ...ports.exports import DOWNLOAD_SECONDS
from .errors import error_code
from .s3_receipts import s3_errors

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

PART_BYTES = 8 * 1024 * 1024  # S3's minimum is 5 MiB for every part but the last
EXPORT_TAGGING = "expense-export=true"


class _MultipartWriter(io.RawIOBase):
    """Buffers one part, then uploads it; `complete` sends the rest and finishes."""

    def __init__(self, client: S3Client, bucket: str, key: str, upload_id: str) -> None:
        super().__init__()
        self._s3, self._bucket, self._key, self._upload_id = client, bucket, key, upload_id
        self._buffer = bytearray()
        self._parts: list[CompletedPartTypeDef] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._buffer += data
        while len(self._buffer) >= PART_BYTES:
            self._send(bytes(self._buffer[:PART_BYTES]))
            del self._buffer[:PART_BYTES]
        return len(data)

    def _send(self, part: bytes) -> None:
        number = len(self._parts) + 1
        with s3_errors("multipart upload part"):
            answer = self._s3.upload_part(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=part,
            )
        self._parts.append({"ETag": answer["ETag"], "PartNumber": number})

    def complete(self) -> None:
        if self._buffer or not self._parts:  # an empty file is one empty part
            self._send(bytes(self._buffer))
            self._buffer.clear()
        with s3_errors("complete multipart upload"):
            self._s3.complete_multipart_upload(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )


class S3ExportFiles:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    @contextmanager
    def create(self, key: str, content_type: str) -> Iterator[BinaryIO]:
        with s3_errors("create multipart upload"):
            started = self._s3.create_multipart_upload(
                Bucket=self._bucket, Key=key, ContentType=content_type, Tagging=EXPORT_TAGGING
            )
        writer = _MultipartWriter(self._s3, self._bucket, key, started["UploadId"])
        try:
            yield cast(BinaryIO, writer)
            writer.complete()
        except BaseException:
            with s3_errors("abort multipart upload"):
                self._s3.abort_multipart_upload(
                    Bucket=self._bucket, Key=key, UploadId=started["UploadId"]
                )
            raise

    def exists(self, key: str) -> bool:
        try:
            self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if error_code(exc) in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise StorageError(f"S3 HEAD failed ({error_code(exc)})") from exc
        return True

    def download_url(self, key: str, filename: str) -> str:
        params = {
            "Bucket": self._bucket,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
        }
        with s3_errors("presigned GET"):
            return self._s3.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=DOWNLOAD_SECONDS
            )

    def forget_user(self, user_id: str) -> None:
        with s3_errors("LIST"):
            pages = self._s3.get_paginator("list_objects_v2").paginate(
                Bucket=self._bucket, Prefix=f"users/{user_id}/exports/"
            )
            keys = [found["Key"] for page in pages for found in page.get("Contents", [])]
        for key in keys:
            with s3_errors("DELETE"):
                self._s3.delete_object(Bucket=self._bucket, Key=key)

    def sweep(self, older_than: datetime) -> int:  # noqa: ARG002 - the port's shape
        """The bucket's lifecycle rule expires tagged exports: nothing to do here."""
        return 0
