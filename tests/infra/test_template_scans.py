"""Receipt scans on AWS: the roles that run scan jobs may call AnalyzeExpense, and nothing
else of Textract (the one call the Textract adapter makes)."""

from __future__ import annotations

import pytest

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
