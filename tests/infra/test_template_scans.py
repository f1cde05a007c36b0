"""Receipt scans on AWS: the roles that run scan jobs may call AnalyzeExpense, and nothing
else of Textract (the one call the Textract adapter makes)."""

from __future__ import annotations

import pytest

from expense_tracker.adapters.aws.s3_receipts import SCAN_TAGGING
from tests.infra import cfn, sdk_calls


@pytest.fixture(scope="module")
def template() -> cfn.Template:
    return cfn.translated()


def test_the_textract_adapter_makes_only_the_analyze_expense_call() -> None:
    text = (sdk_calls.ADAPTERS / "textract_reader.py").read_text(encoding="utf-8")
    assert sdk_calls._operations("textract", text) == {"AnalyzeExpense"}


def test_the_scan_policy_allows_analyze_expense_to_the_worker_that_runs_scans(
    template: cfn.Template,
) -> None:
    policy = cfn.props(template, "ReceiptScanPolicy")
    assert policy["Roles"] == [{"Ref": "JobWorkerRole"}]
    statements = cfn.as_list(policy["PolicyDocument"]["Statement"])
    assert [(s["Effect"], cfn.as_list(s["Action"])) for s in statements] == [
        ("Allow", ["textract:AnalyzeExpense"])
    ]


def test_unused_scan_photos_expire_by_their_tag_within_two_days(template: cfn.Template) -> None:
    rules = cfn.props(template, "ReceiptsBucket")["LifecycleConfiguration"]["Rules"]
    key, _, value = SCAN_TAGGING.partition("=")
    (rule,) = [r for r in rules if {"Key": key, "Value": value} in r.get("TagFilters", [])]
    assert (rule["Status"], rule["Prefix"], rule["ExpirationInDays"]) == ("Enabled", "users/", 1)
    assert rule["TagFilters"] == [{"Key": key, "Value": value}]  # only the scan photos
