"""The jobs queue and its worker function in the translated template: a dead-letter queue after
three deliveries, partial batch failures, the worker's timeout and concurrency, and a role that
allows what the worker's adapters call on the stack's own resources, nothing more."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra import cfn, sdk_calls


@pytest.fixture(scope="module")
def template() -> cfn.Template:
    return cfn.translated()


def test_failed_jobs_go_to_the_dead_letter_queue_after_three_deliveries(
    template: cfn.Template,
) -> None:
    queue = cfn.props(template, "JobsQueue")
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 3,
    }
    worker = cfn.props(template, "JobWorkerFunction")
    assert queue["VisibilityTimeout"] >= 6 * worker["Timeout"]
    assert queue["SqsManagedSseEnabled"] is True


def test_the_worker_reports_partial_batch_failures_within_its_limits(
    template: cfn.Template,
) -> None:
    worker = cfn.props(template, "JobWorkerFunction")
    assert worker["Handler"] == "expense_tracker.entrypoints.lambda_handler.job_worker"
    assert worker["Timeout"] == 900
    assert 1 <= worker["ReservedConcurrentExecutions"] <= 10
    (mapping,) = cfn.resources(template, "AWS::Lambda::EventSourceMapping").values()
    properties = mapping["Properties"]
    assert properties["EventSourceArn"] == {"Fn::GetAtt": ["JobsQueue", "Arn"]}
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def _worker_grants(template: cfn.Template) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for where, statement in cfn.statements(template):
        if where.startswith("JobWorkerRole/") and statement["Effect"] == "Allow":
            for resource in cfn.as_list(statement["Resource"]):
                found.setdefault(json.dumps(resource, sort_keys=True), set()).update(
                    cfn.as_list(statement["Action"])
                )
    return found


def scope(resource: Any) -> str:
    return json.dumps(resource, sort_keys=True)


def test_the_worker_role_allows_its_calls_on_the_stacks_own_resources_only(
    template: cfn.Template,
) -> None:
    grants = _worker_grants(template)
    queue, table = (
        scope({"Fn::GetAtt": ["JobsQueue", "Arn"]}),
        scope({"Fn::GetAtt": ["Table", "Arn"]}),
    )
    receipts = scope({"Fn::Sub": "${ReceiptsBucket.Arn}/users/*"})
    lake = scope({"Fn::Sub": "${DataLakeBucket.Arn}/expenses/*"})
    ses = scope({"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}"
                 ":identity/${AlertEmailIdentity}"})  # fmt: skip
    assert set(grants) == {
        scope({"Fn::GetAtt": ["JobWorkerLogGroup", "Arn"]}),
        queue,
        table,
        scope({"Fn::Sub": "${Table.Arn}/index/*"}),
        receipts,
        lake,
        scope({"Ref": "CursorSecret"}),
        ses,
    }  # and Textract's AnalyzeExpense (tests/infra/test_template_scans.py)
    # The event source mapping's calls, and the lake jobs that imports and recurring runs queue.
    assert grants[queue] == {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:SendMessage",
    }
    assert sdk_calls.dynamodb_actions() - {"dynamodb:TransactWriteItems"} <= grants[table] | {
        "dynamodb:ConditionCheckItem"
    }
    # Export files are written with a tag (the expiry rule's), which S3 authorises apart.
    # Listing is the account deletion's and the quota's, both in the API function.
    exporting = sdk_calls.s3_actions("s3_exports.py") - {"s3:ListBucket"}
    assert grants[receipts] == exporting | {
        "s3:GetObject",
        "s3:DeleteObject",
        "s3:PutObjectTagging",
    }
    assert grants[lake] == sdk_calls.s3_actions("data_lake.py")


def test_the_worker_reads_its_secret_by_name_never_from_its_environment(
    template: cfn.Template,
) -> None:
    variables = cfn.props(template, "JobWorkerFunction")["Environment"]["Variables"]
    assert variables["EXPENSE_TRACKER_SECRET_ARN"] == {"Ref": "CursorSecret"}
    assert "EXPENSE_TRACKER_SECRET_KEY" not in variables
    assert "resolve:secretsmanager" not in json.dumps(variables)
