"""On Lambda the cursor-signing secret is read from Secrets Manager when the container is built
(at init), not taken from a plaintext environment variable; moto's server stands in for
Secrets Manager, and the template is read for the variable and the permission."""

from __future__ import annotations

import uuid
from datetime import date

import boto3
import pytest

from expense_tracker.adapters.aws.wiring import build_aws_container
from expense_tracker.bootstrap import build_container
from expense_tracker.domain.errors import ConfigurationError
from expense_tracker.domain.expense import ExpenseFilter, Position
from tests.infra import cfn
from tests.support.aws_stack import REGION, AwsStack

pytestmark = pytest.mark.aws


def _secret(stack: AwsStack, value: str) -> str:
    client = boto3.client("secretsmanager", endpoint_url=stack.moto_endpoint, region_name=REGION)
    made = client.create_secret(Name=f"cursor-{uuid.uuid4().hex}", SecretString=value)
    return str(made["ARN"])


def test_the_cursor_secret_is_read_from_secrets_manager(aws_stack: AwsStack) -> None:
    value = "s" * 64
    arn = _secret(aws_stack, value)
    container = build_aws_container(aws_stack.settings(secret_key=None, secret_arn=arn))
    from_env = build_aws_container(aws_stack.settings(secret_key=value))
    # A cursor signed with the secret's value verifies under that same key.
    position = Position(date(2025, 3, 1), "expense-1")
    cursor = container.cursors.encode("user-1", ExpenseFilter(), position)
    assert from_env.cursors.decode("user-1", ExpenseFilter(), cursor) == position


def test_a_short_secret_in_secrets_manager_is_refused_at_start(aws_stack: AwsStack) -> None:
    arn = _secret(aws_stack, "short")
    with pytest.raises(ConfigurationError) as refused:
        build_container(aws_stack.settings(secret_key=None, secret_arn=arn))
    assert "EXPENSE_TRACKER_SECRET_ARN" in refused.value.detail


def test_the_function_gets_the_secrets_name_not_its_value() -> None:
    template = cfn.source()
    variables = cfn.props(template, "ApiFunction")["Environment"]["Variables"]
    assert variables["EXPENSE_TRACKER_SECRET_ARN"] == {"Ref": "CursorSecret"}
    assert "EXPENSE_TRACKER_SECRET_KEY" not in variables
    assert "resolve:secretsmanager" not in str(variables)


def test_each_function_may_read_only_its_own_secrets() -> None:
    granted = {
        where.split("/")[0]: statement
        for where, statement in cfn.statements(cfn.source())
        if any(a.startswith("secretsmanager:") for a in cfn.as_list(statement["Action"]))
    }
    read = ["secretsmanager:GetSecretValue"]
    assert granted == {
        "ApiFunctionRole": {
            "Effect": "Allow",
            "Action": read,
            "Resource": [{"Ref": "CursorSecret"}, {"Ref": "OriginSecret"}],
        },
        # The worker signs no cursors for clients, but builds the same container.
        "JobWorkerRole": {"Effect": "Allow", "Action": read, "Resource": {"Ref": "CursorSecret"}},
    }


def test_the_origin_secret_is_read_from_secrets_manager_at_build(aws_stack: AwsStack) -> None:
    arn = _secret(aws_stack, "o" * 48)
    container = build_aws_container(aws_stack.settings(origin_secret_arn=arn))
    assert container.origin_secret == b"o" * 48
    assert build_aws_container(aws_stack.settings()).origin_secret is None
