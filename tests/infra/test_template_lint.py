"""cfn-lint passes on the SAM template and on the CloudFormation aws-sam-translator makes of it;
a misspelt property fails."""

from __future__ import annotations

import json

import pytest

from tests.infra import cfn


def test_sam_template_passes_cfn_lint() -> None:
    assert cfn.lint_text(cfn.TEMPLATE.read_text(encoding="utf-8")) == []


def test_translated_template_passes_cfn_lint() -> None:
    translated = cfn.translated()
    assert "Transform" not in translated
    assert "AWS::Lambda::Function" in {r["Type"] for r in translated["Resources"].values()}
    assert cfn.lint_template(translated) == []


def _misspell(template: cfn.Template, resource: str, path: list[str], typo: str) -> None:
    node = template["Resources"][resource]
    for key in path[:-1]:
        node = node[key]
    node[typo] = node.pop(path[-1])


TYPOS = [
    (
        "Table",
        ["Properties", "PointInTimeRecoverySpecification"],
        "PointInTimeRecoverySpecifcation",
    ),
    ("ApiFunction", ["Properties", "Architectures"], "Architecture"),
    (
        "ReceiptsBucket",
        ["Properties", "PublicAccessBlockConfiguration"],
        "PublicAccesBlockConfiguration",
    ),
    ("UserPoolClient", ["Properties", "ExplicitAuthFlows"], "ExplicitAuthFlow"),
    (
        "Distribution",
        ["Properties", "DistributionConfig", "DefaultCacheBehavior", "ViewerProtocolPolicy"],
        "ViewerProtocolPolcy",
    ),
]


@pytest.mark.parametrize(("resource", "path", "typo"), TYPOS, ids=[t[2] for t in TYPOS])
def test_a_misspelt_property_fails_lint(resource: str, path: list[str], typo: str) -> None:
    template = cfn.source()
    _misspell(template, resource, path, typo)
    problems = cfn.lint_text(json.dumps(template), regions=["us-east-1"])
    assert any(typo in p for p in problems), problems


def test_a_misspelt_property_fails_lint_after_translation() -> None:
    template = cfn.translated()
    _misspell(template, "Table", ["Properties", "SSESpecification"], "SSESpecifications")
    problems = cfn.lint_template(template, regions=["us-east-1"])
    assert any("SSESpecifications" in p for p in problems), problems
