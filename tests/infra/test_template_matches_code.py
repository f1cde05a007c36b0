"""The template and the code agree: the table's keys, the settings the function gets, the
permissions the adapters need, the handler, the build, the rules shared with the local app."""

from __future__ import annotations

import ast
import json
import re
from typing import Any

import pytest

from expense_tracker.adapters.aws import dynamodb_schema as schema
from expense_tracker.config import AWS_REQUIRED, Settings
from expense_tracker.domain.credentials import PASSWORD_MIN
from expense_tracker.entrypoints.http.middleware import PAGE_CSP
from tests.infra import cfn, sdk_calls

ENV_PREFIX = "EXPENSE_TRACKER_"
# Granted although no SDK call shows it: upload tickets tag pending uploads so that the
# lifecycle rule expires abandoned ones (S3 checks PutObjectTagging for a tagged POST).
GRANTED_BEYOND_CALLS = {"ReceiptsBucket": {"s3:PutObjectTagging"}}
# Called by operator commands only (`expense-tracker migrate` makes accounts, with the
# operator's own credentials), never by the function.
OPERATOR_ONLY: dict[str, set[str]] = {
    "UserPool": {
        "cognito-idp:ListUsers",
        "cognito-idp:AdminCreateUser",
        "cognito-idp:AdminSetUserPassword",
        "cognito-idp:AdminResetUserPassword",
    },
}


@pytest.fixture(scope="module")
def template() -> cfn.Template:
    return cfn.translated()


def _variables(template: cfn.Template) -> dict[str, Any]:
    variables: dict[str, Any] = cfn.props(template, "ApiFunction")["Environment"]["Variables"]
    return variables


def _by_name(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return {item[key]: item for item in items}


def test_table_keys_and_index_are_the_schema_modules(template: cfn.Template) -> None:
    table = cfn.props(template, "Table")
    assert _by_name(table["AttributeDefinitions"], "AttributeName") == _by_name(
        list(schema.ATTRIBUTE_DEFINITIONS), "AttributeName"
    )
    assert table["KeySchema"] == schema.KEY_SCHEMA
    assert table.get("LocalSecondaryIndexes", []) == schema.LOCAL_SECONDARY_INDEXES
    assert table.get("GlobalSecondaryIndexes", []) == schema.GLOBAL_SECONDARY_INDEXES
    assert table["BillingMode"] == schema.BILLING_MODE


def test_table_ttl_is_on_the_schema_modules_attribute(template: cfn.Template) -> None:
    ttl = cfn.props(template, "Table")["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": schema.TTL_ATTRIBUTE, "Enabled": True}


def test_every_function_variable_is_a_setting(template: cfn.Template) -> None:
    variables = _variables(template)
    assert variables, "the function gets no environment"
    for name in variables:
        assert name.startswith(ENV_PREFIX), name
        assert name.removeprefix(ENV_PREFIX).lower() in Settings.model_fields, name


def test_every_setting_the_aws_backend_requires_is_provided(template: cfn.Template) -> None:
    variables = _variables(template)
    assert variables[f"{ENV_PREFIX}BACKEND"] == "aws"
    for field in AWS_REQUIRED:
        assert variables.get(f"{ENV_PREFIX}{field.upper()}") not in (None, ""), field


def test_the_function_environment_makes_valid_aws_settings(
    template: cfn.Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Intrinsics stand in as plausible values; parameters take their defaults."""
    parameters = {k: v.get("Default") for k, v in template["Parameters"].items()}
    for name, value in _variables(template).items():
        if isinstance(value, dict) and "Ref" in value and value["Ref"] in parameters:
            value = parameters[value["Ref"]]
        elif isinstance(value, dict):
            value = "x" * 64  # a resource's name, id or the generated secret
        monkeypatch.setenv(name, str(value))
    settings = Settings()
    assert settings.backend == "aws"
    assert settings.missing_for_aws() == []


def test_the_generated_cursor_secret_is_long_enough_for_the_aws_backend(
    template: cfn.Template,
) -> None:
    from expense_tracker.adapters.aws.wiring import MIN_SECRET_BYTES

    length = cfn.props(template, "CursorSecret")["GenerateSecretString"]["PasswordLength"]
    assert length >= MIN_SECRET_BYTES


def test_public_url_is_the_cloudfront_url(template: cfn.Template) -> None:
    url = _variables(template)[f"{ENV_PREFIX}PUBLIC_URL"]
    assert url == {"Fn::Sub": "https://${Distribution.DomainName}"}
    assert template["Outputs"]["SiteUrl"]["Value"] == url


def test_the_handler_is_a_function_of_the_lambda_module(template: cfn.Template) -> None:
    function = cfn.props(template, "ApiFunction")
    module, _, name = function["Handler"].rpartition(".")
    path = cfn.ROOT / "src" / (module.replace(".", "/") + ".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert name in functions


def test_the_function_runs_python_3_12_or_newer_on_arm64(template: cfn.Template) -> None:
    function = cfn.props(template, "ApiFunction")
    runtime = re.fullmatch(r"python3\.(\d+)", function["Runtime"])
    assert runtime and int(runtime.group(1)) >= 12
    assert function["Architectures"] == ["arm64"]


def _needed() -> dict[str, set[str]]:
    """Actions the function's adapters call, by the logical id of the resource they act on."""
    needed = {
        "Table": sdk_calls.dynamodb_actions(),
        "ReceiptsBucket": sdk_calls.s3_actions("s3_receipts.py", "s3_exports.py"),
        "UserPool": sdk_calls.cognito_actions(),
        "JobsQueue": sdk_calls.sqs_actions() & {"sqs:SendMessage"},  # the worker's are its own
    }
    for resource, actions in needed.items():
        assert actions, f"no SDK call found for {resource}: the source scan is broken"
    return {r: actions - OPERATOR_ONLY.get(r, set()) for r, actions in needed.items()}


def test_the_function_is_allowed_every_call_the_adapters_make(template: cfn.Template) -> None:
    granted = _granted(template)
    for resource, actions in _needed().items():
        missing = actions - granted.get(resource, set())
        assert not missing, f"{resource}: {sorted(missing)} not granted"


def test_the_function_is_allowed_nothing_the_adapters_do_not_call(
    template: cfn.Template,
) -> None:
    needed = _needed()
    extra = {r: actions - needed.get(r, set()) for r, actions in _granted(template).items()}
    assert {r: a for r, a in extra.items() if a} == GRANTED_BEYOND_CALLS


def _granted(template: cfn.Template) -> dict[str, set[str]]:
    """Data actions the function's role allows, by the logical id of the resource named."""
    found: dict[str, set[str]] = {}
    for where, statement in cfn.statements(template):
        if not where.startswith("ApiFunctionRole/") or statement["Effect"] != "Allow":
            continue
        for resource in cfn.as_list(statement["Resource"]):
            text = json.dumps(resource)
            names = re.findall(r'"(\w+)", "Arn"|\$\{(\w+)\.Arn\}', text)
            for name in {a or b for a, b in names}:
                found.setdefault(name, set()).update(cfn.as_list(statement["Action"]))
    found.pop("ApiFunctionLogGroup", None)
    return found


def test_throttling_defaults_match_the_apps_rate_limits(template: cfn.Template) -> None:
    parameters = template["Parameters"]
    defaults = Settings()
    assert parameters["ThrottleRateLimit"]["Default"] == defaults.rate_per_second == 100
    assert parameters["ThrottleBurstLimit"]["Default"] == defaults.rate_burst == 200
    routes = cfn.props(template, "ApiStage")["DefaultRouteSettings"]
    assert routes["ThrottlingRateLimit"] == {"Ref": "ThrottleRateLimit"}
    assert routes["ThrottlingBurstLimit"] == {"Ref": "ThrottleBurstLimit"}


def test_password_policy_is_the_local_one(template: cfn.Template) -> None:
    policy = cfn.props(template, "UserPool")["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == PASSWORD_MIN
    composition = ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
    assert [policy[rule] for rule in composition] == [False] * 4


def test_token_lifetimes_are_the_local_ones(template: cfn.Template) -> None:
    client = cfn.props(template, "UserPoolClient")
    units = client["TokenValidityUnits"]
    assert (units["AccessToken"], units["RefreshToken"]) == ("minutes", "days")
    defaults = Settings()
    assert client["AccessTokenValidity"] * 60 == defaults.access_token_ttl_seconds
    assert client["RefreshTokenValidity"] * 86400 == defaults.refresh_token_ttl_seconds


def _directives(policy: str) -> dict[str, set[str]]:
    parts = [p.split() for p in policy.split(";") if p.strip()]
    return {p[0]: set(p[1:]) for p in parts}


def test_page_csp_is_the_local_one_plus_the_receipts_bucket(template: cfn.Template) -> None:
    headers = cfn.props(template, "SecurityHeadersPolicy")["ResponseHeadersPolicyConfig"]
    text, names = headers["SecurityHeadersConfig"]["ContentSecurityPolicy"][
        "ContentSecurityPolicy"
    ]["Fn::Sub"]
    cloud, local = _directives(text), _directives(PAGE_CSP)
    assert set(cloud) == set(local)
    for directive, sources in cloud.items():
        assert sources >= local[directive], directive
        extra = sources - local[directive]
        assert all(s.startswith("https://${Receipts}.s3.") for s in extra), directive
    # The same name as the bucket's: both derive it from the stack id.
    assert names["Receipts"] == cfn.props(template, "ReceiptsBucket")["BucketName"]
