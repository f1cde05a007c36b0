"""Which IAM actions the AWS adapters need, read from their source: the boto3 client methods
they call, mapped to the actions IAM checks for them."""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session
from botocore import xform_name

from tests.infra.cfn import ROOT

ADAPTERS = ROOT / "src" / "expense_tracker" / "adapters" / "aws"

# Cognito calls a public app client makes with the user's credentials or tokens: IAM is not
# consulted for them.
COGNITO_PUBLIC = {
    "SignUp",
    "ConfirmSignUp",
    "ResendConfirmationCode",
    "InitiateAuth",
    "RespondToAuthChallenge",
    "GetTokensFromRefreshToken",
    "RevokeToken",
    "GlobalSignOut",
    "GetUser",
    "ChangePassword",
    "DeleteUser",
    "ForgotPassword",
    "ConfirmForgotPassword",
}
# Operations IAM authorises under another action's name.
S3_ACTIONS = {
    "ListObjectsV2": "ListBucket",
    "DeleteObjects": "DeleteObject",
    "HeadObject": "GetObject",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
}
DYNAMODB_ACTIONS = {"TransactGetItems": "GetItem"}
TRANSACT_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _by_method(service: str) -> dict[str, str]:
    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


def _operations(service: str, text: str) -> set[str]:
    by_method = _by_method(service)
    called = set(re.findall(r"\.(\w+)\(", text))
    called |= set(re.findall(r"get_paginator\(\s*[\"'](\w+)[\"']", text))
    return {by_method[m] for m in called if m in by_method}


def _read(paths: list[Path]) -> str:
    assert paths, "no adapter source found"
    return "\n".join(p.read_text(encoding="utf-8") for p in paths)


def dynamodb_actions() -> set[str]:
    # dynamodb_schema.py creates tables for tests and first set-ups; the app never does.
    modules = [p for p in ADAPTERS.glob("dynamodb_*.py") if p.name != "dynamodb_schema.py"]
    text = _read(sorted(modules))
    actions: set[str] = set()
    for operation in _operations("dynamodb", text):
        if operation == "TransactWriteItems":  # authorised item by item
            actions |= {
                action
                for key, action in TRANSACT_ITEM_ACTIONS.items()
                if re.search(rf"[\"']{key}[\"']\s*:", text)
            }
        else:
            actions.add(DYNAMODB_ACTIONS.get(operation, operation))
    return {f"dynamodb:{a}" for a in actions}


def s3_actions(*modules: str) -> set[str]:
    text = _read([ADAPTERS / module for module in modules])
    actions = {S3_ACTIONS.get(op, op) for op in _operations("s3", text)}
    if "generate_presigned_post" in text:
        actions.add("PutObject")
    for method in re.findall(r"generate_presigned_url\(\s*[\"'](\w+)[\"']", text):
        operation = _by_method("s3")[method]
        actions.add(S3_ACTIONS.get(operation, operation))
    return {f"s3:{a}" for a in actions}


def cognito_actions() -> set[str]:
    text = _read(sorted(ADAPTERS.glob("cognito_*.py")))
    return {f"cognito-idp:{op}" for op in _operations("cognito-idp", text) - COGNITO_PUBLIC}


def sqs_actions() -> set[str]:
    text = _read([ADAPTERS / "sqs_jobs.py"])
    return {f"sqs:{op}" for op in _operations("sqs", text)}
