"""An export larger than Lambda's 6 MB response limit, through API Gateway events into the
Lambda handler: the job writes it to S3 in parts, and the client downloads it from S3."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import httpx
import pytest

from expense_tracker.adapters.aws.wiring import build_aws_container
from tests.contract.factories import make_expense
from tests.support.api import Api
from tests.support.aws_stack import AwsStack

pytestmark = [pytest.mark.aws, pytest.mark.slow]
LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024
ROWS = 11_000  # about 650 bytes each in CSV


def test_an_export_over_six_megabytes_is_downloaded_whole_from_s3(
    aws_api: Api, aws_stack: AwsStack
) -> None:
    user = aws_api.new_user("big-export")
    store = build_aws_container(aws_stack.settings()).store
    description = "x" * 480
    store.add_many(
        [
            make_expense(
                user.user_id,
                description=f"{n:06d} {description}",
                day=date(2026, 1, 1) + timedelta(days=n % 300),
            )
            for n in range(ROWS)
        ]
    )
    started = user.client.post("/api/exports", json={"format": "csv"})
    assert started.status_code == 202, started.text
    status = user.client.get(started.headers["location"]).json()
    assert status["status"] == "done" and status["rows"] == ROWS
    assert status["bytes"] > LAMBDA_RESPONSE_LIMIT
    got = httpx.get(status["download"], timeout=60)
    assert got.status_code == 200 and len(got.content) == status["bytes"]
    rows = list(csv.reader(io.StringIO(got.text, newline="")))
    assert len(rows) == ROWS + 1
    assert {row[5][:6] for row in rows[1:]} == {f"{n:06d}" for n in range(ROWS)}
    user.client.close()
