"""SnapStart for Python: both functions snapshot a published version after init, and everything
that invokes them invokes that version's alias (an unqualified ARN runs $LATEST, which never
has a snapshot). The template with it passes cfn-lint."""

from __future__ import annotations

import re

import pytest

from tests.infra import cfn

FUNCTIONS = ("ApiFunction", "JobWorkerFunction")


@pytest.fixture(scope="module")
def source() -> cfn.Template:
    return cfn.source()


@pytest.fixture(scope="module")
def translated() -> cfn.Template:
    return cfn.translated()


@pytest.mark.parametrize("name", FUNCTIONS)
def test_the_function_snapshots_its_published_versions_on_python_3_12_or_later(
    source: cfn.Template, name: str
) -> None:
    function = cfn.props(source, name)
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert function["AutoPublishAlias"] == "live"
    runtime = re.fullmatch(r"python3\.(\d+)", function["Runtime"])
    assert runtime and int(runtime.group(1)) >= 12, function["Runtime"]
    # SnapStart refuses provisioned concurrency and ephemeral storage above 512 MB.
    assert "ProvisionedConcurrencyConfig" not in function
    assert function.get("EphemeralStorage", {"Size": 512})["Size"] <= 512


def test_every_invoker_calls_the_api_functions_alias(translated: cfn.Template) -> None:
    alias = {"Ref": "ApiFunctionAliaslive"}
    assert cfn.props(translated, "ApiIntegration")["IntegrationUri"] == alias
    assert cfn.props(translated, "ApiInvokePermission")["FunctionName"] == alias
    assert cfn.props(translated, "RecurringSchedule")["Target"]["Arn"] == alias
    (invoke,) = cfn.props(translated, "RecurringScheduleRole")["Policies"]
    assert invoke["PolicyDocument"]["Statement"][0]["Resource"] == alias


def test_the_queue_feeds_the_workers_alias(translated: cfn.Template) -> None:
    (mapping,) = cfn.resources(translated, "AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["FunctionName"] == {"Ref": "JobWorkerFunctionAliaslive"}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_the_translation_publishes_a_version_with_snapstart(
    translated: cfn.Template, name: str
) -> None:
    function = cfn.props(translated, name)
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    versions = [
        r
        for r in cfn.resources(translated, "AWS::Lambda::Version").values()
        if r["Properties"]["FunctionName"] == {"Ref": name}
    ]
    assert len(versions) == 1


def test_the_template_with_snapstart_passes_cfn_lint(source: cfn.Template) -> None:
    assert cfn.lint_template(source) == []
    broken = cfn.source()
    cfn.props(broken, "ApiFunction")["SnapStart"] = {"ApplyOn": "Always"}
    assert cfn.lint_template(broken), "lint does not check SnapStart's values"
