"""The daily ECB rates function in the translated template: an EventBridge schedule invokes it
once a day, and its role may put items into the rates partition of the table, nothing more."""

from __future__ import annotations

import pytest

from expense_tracker.adapters.aws.dynamodb_rates import RATES_PK
from expense_tracker.entrypoints import lambda_handler
from tests.infra import cfn


@pytest.fixture(scope="module")
def template() -> cfn.Template:
    return cfn.translated()


def test_a_daily_schedule_invokes_the_rates_function(template: cfn.Template) -> None:
    function = cfn.props(template, "RatesFunction")
    assert function["Handler"] == "expense_tracker.entrypoints.lambda_handler.refresh_rates"
    assert callable(lambda_handler.refresh_rates)
    assert function["Environment"]["Variables"]["EXPENSE_TRACKER_TABLE_NAME"] == {"Ref": "Table"}
    schedule = cfn.props(template, "RatesSchedule")
    minute, hour, *rest = schedule["ScheduleExpression"].removeprefix("cron(").split()
    assert (minute.isdigit(), hour.isdigit(), rest) == (True, True, ["*", "*", "?", "*)"])
    assert schedule["State"] == "ENABLED"
    assert schedule["Target"]["Arn"] == {"Fn::GetAtt": ["RatesFunction", "Arn"]}
    assert schedule["Target"]["RoleArn"] == {"Fn::GetAtt": ["RatesScheduleRole", "Arn"]}


def test_the_schedule_may_invoke_the_rates_function_only(template: cfn.Template) -> None:
    grants = [s for where, s in cfn.statements(template) if where.startswith("RatesScheduleRole/")]
    assert [(g["Action"], g["Resource"]) for g in grants] == [
        (["lambda:InvokeFunction"], {"Fn::GetAtt": ["RatesFunction", "Arn"]})
    ]


def test_the_rates_function_may_write_rates_items_into_the_table_only(
    template: cfn.Template,
) -> None:
    role = cfn.props(template, "RatesFunction")["Role"]
    assert role == {"Fn::GetAtt": ["RatesFunctionRole", "Arn"]}
    grants = [s for where, s in cfn.statements(template) if where.startswith("RatesFunctionRole/")]
    assert all(g["Effect"] == "Allow" for g in grants)
    table = [g for g in grants if g["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}]
    assert [sorted(g["Action"]) for g in table] == [["dynamodb:BatchWriteItem", "dynamodb:PutItem"]]
    condition = table[0]["Condition"]["ForAllValues:StringEquals"]
    assert condition == {"dynamodb:LeadingKeys": [RATES_PK]}
    others = [g for g in grants if g not in table]
    assert [(g["Action"], g["Resource"]) for g in others] == [
        (
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            {"Fn::GetAtt": ["RatesFunctionLogGroup", "Arn"]},
        )
    ]
