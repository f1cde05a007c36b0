"""Export files as S3 multipart uploads (moto's server): several parts, the presigned
download, and an interrupted write that leaves nothing behind."""

from __future__ import annotations

import httpx
import pytest

from expense_tracker.adapters.aws import s3_exports
from expense_tracker.adapters.aws.s3_exports import EXPORT_TAGGING, PART_BYTES, S3ExportFiles
from tests.support.aws_stack import AwsStack

pytestmark = pytest.mark.aws
KEY = "users/alice/exports/01JEXPORT.zip"


def test_a_file_larger_than_a_part_is_uploaded_in_parts_and_downloads_whole(
    aws_stack: AwsStack,
) -> None:
    bucket = aws_stack.new_bucket("exports")
    files = S3ExportFiles(aws_stack.s3, bucket)
    block = bytes(range(256)) * 4096  # 1 MiB
    with files.create(KEY, "application/zip") as out:
        for _ in range(PART_BYTES // len(block) + 2):
            out.write(block)
    expected = block * (PART_BYTES // len(block) + 2)
    head = aws_stack.s3.head_object(Bucket=bucket, Key=KEY, PartNumber=1)
    assert head["PartsCount"] == 2
    tags = aws_stack.s3.get_object_tagging(Bucket=bucket, Key=KEY)["TagSet"]
    assert {"Key": "expense-export", "Value": "true"} in tags
    assert EXPORT_TAGGING == "expense-export=true"
    got = httpx.get(files.download_url(KEY, "evidence-pack-2026-11-24.zip"))
    assert got.status_code == 200 and got.content == expected
    assert (
        got.headers["content-disposition"] == 'attachment; filename="evidence-pack-2026-11-24.zip"'
    )
    assert files.exists(KEY)


def test_an_empty_export_is_one_empty_part(aws_stack: AwsStack) -> None:
    bucket = aws_stack.new_bucket("exports")
    files = S3ExportFiles(aws_stack.s3, bucket)
    with files.create(KEY, "text/csv"):
        pass
    assert aws_stack.s3.get_object(Bucket=bucket, Key=KEY)["Body"].read() == b""


def test_an_interrupted_export_aborts_its_upload(aws_stack: AwsStack) -> None:
    bucket = aws_stack.new_bucket("exports")
    files = S3ExportFiles(aws_stack.s3, bucket)
    with pytest.raises(RuntimeError), files.create(KEY, "text/csv") as out:
        out.write(b"x" * (s3_exports.PART_BYTES + 1))
        raise RuntimeError("the worker died")
    assert not files.exists(KEY)
    assert aws_stack.s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
