"""The template's Glue table reads exactly what the data lake writes: the same partition layout
in the keys and the same columns in the records. Athena cannot run here, so the table's
definition (columns, SerDe, partition projection) is checked against records and keys the code
produces, field by field and type by type."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

import pytest

from expense_tracker.adapters.aws.data_lake import lake_document, lake_key
from tests.contract.factories import make_expense, make_receipt, new_user
from tests.infra import cfn

DAY = date(2025, 3, 7)


@pytest.fixture(scope="module")
def template() -> cfn.Template:
    return cfn.source()


def _table(template: cfn.Template) -> dict[str, Any]:
    table: dict[str, Any] = cfn.props(template, "DataLakeTable")["TableInput"]
    return table


NULLABLE = {"recurring_id"}  # null unless a recurring series made the expense


def _matches(hive_type: str, value: Any) -> bool:
    if hive_type == "string":
        return isinstance(value, str)
    if hive_type in ("int", "bigint"):
        return isinstance(value, int) and not isinstance(value, bool)
    if hive_type == "date":
        return isinstance(value, str) and date.fromisoformat(value) is not None
    if hive_type.startswith("struct<"):
        fields = dict(f.split(":") for f in hive_type[7:-1].split(","))
        return value is None or (
            set(value) == set(fields) and all(_matches(fields[k], v) for k, v in value.items())
        )
    raise AssertionError(f"a type the test does not know: {hive_type}")


@pytest.mark.parametrize("with_receipt", [False, True])
def test_every_record_field_is_a_column_of_the_right_type(
    template: cfn.Template, with_receipt: bool
) -> None:
    receipt = make_receipt("users/u/receipts/e/r") if with_receipt else None
    document = lake_document(make_expense(new_user(), day=DAY, receipt=receipt))
    (line,) = document.decode().splitlines()  # JSON Lines: one record, one line
    record = json.loads(line)
    columns = {c["Name"]: c["Type"] for c in _table(template)["StorageDescriptor"]["Columns"]}
    assert set(columns) == set(record)
    for name, value in record.items():
        if name in NULLABLE and value is None:
            continue
        assert _matches(columns[name], value), (name, columns[name], value)


def test_a_recurring_expense_fills_its_nullable_column(template: cfn.Template) -> None:
    expense = dataclasses.replace(make_expense(new_user(), day=DAY), recurring_id="SERIES")
    record = json.loads(lake_document(expense))
    columns = {c["Name"]: c["Type"] for c in _table(template)["StorageDescriptor"]["Columns"]}
    assert _matches(columns["recurring_id"], record["recurring_id"])


def test_the_partition_projection_finds_the_keys_the_lake_writes(template: cfn.Template) -> None:
    table = _table(template)
    parameters = table["Parameters"]
    assert parameters["projection.enabled"] == "true"
    assert [k["Name"] for k in table["PartitionKeys"]] == ["year", "month"]
    location = parameters["storage.location.template"]["Fn::Sub"]
    prefix = (
        location.replace("s3://${DataLakeBucket}/", "")
        .replace("${!year}", str(DAY.year))
        .replace("${!month}", f"{DAY.month:0{int(parameters['projection.month.digits'])}d}")
    )
    key = lake_key("user-1", "expense-1", DAY)
    assert key.startswith(prefix), (key, prefix)
    low, high = (int(n) for n in parameters["projection.year.range"].split(","))
    assert low <= DAY.year <= high
    assert table["StorageDescriptor"]["Location"]["Fn::Sub"].endswith("/expenses/")


def test_the_table_reads_json_lines(template: cfn.Template) -> None:
    descriptor = _table(template)["StorageDescriptor"]
    assert descriptor["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert descriptor["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"


def test_athena_has_a_workgroup_whose_results_stay_in_the_lake_bucket(
    template: cfn.Template,
) -> None:
    group = cfn.props(template, "DataLakeWorkGroup")["WorkGroupConfiguration"]
    assert group["EnforceWorkGroupConfiguration"] is True
    output = group["ResultConfiguration"]["OutputLocation"]["Fn::Sub"]
    assert output.startswith("s3://${DataLakeBucket}/") and "expenses/" not in output
    for name in ("DataLakeDatabase", "DataLakeTable", "DataLakeWorkGroup"):
        assert template["Resources"][name]["Condition"] == "DataLake"
