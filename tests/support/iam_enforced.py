"""The IAM-enforcing test tier's machinery: a moto server that checks every request against the
caller's IAM policy, the policies read from infra/template.yaml, and the same check for the
calls moto cannot judge by resource.

What enforces what (moto 5's source: `core/authorization.py`, `core/responses.py`):
- S3 and SQS: the moto server itself. It checks the request's SigV4 signature against an IAM
  user's access key and the action on the real resource ARN (the bucket/key, the queue).
- DynamoDB and Secrets Manager: moto checks only the action, on the resource "*" (a policy
  scoped to a table or secret ARN never matches it). The table runs on DynamoDB Local (moto's
  DynamoDB differs from the service in what the adapters rely on), which checks nothing, so
  every DynamoDB call is judged here, before it is sent, by moto's own policy evaluator with
  the real table or index ARN, item by item for transactions as IAM does, and with the rates
  role's `dynamodb:LeadingKeys` condition (which moto's evaluator skips). Secrets Manager is
  judged by the server on the action with the statement's resources widened to "*".
- Cognito: the app's public-client calls need no IAM; AdminGetUser is left to tests/infra.

The server is a `moto_server` subprocess (its IAM switch is process-wide, so it cannot share the
suite's in-process server), started with INITIAL_NO_AUTH_ACTION_COUNT so the set-up calls pass,
then switched to enforce everything through moto's reset-auth endpoint. It exits when the test
process does, even if the test process is killed."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from botocore.exceptions import ClientError
from moto.iam.access_control import IAMPolicy, PermissionResult

from tests.infra import cfn

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
ALLOW_ALL = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
# Both branches of the template's conditions, as a deployment with a data lake and no e-mails.
CONDITIONS = {"DataLake": True, "AlertEmails": False}
# Services whose requests moto judges on the resource "*" only.
ACTION_ONLY = ("secretsmanager:",)

_SERVER = """
import os, sys, threading, time
from moto.server import main
parent = os.getppid()
def orphaned():
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)
threading.Thread(target=orphaned, daemon=True).start()
main(["-H", "127.0.0.1", "-p", sys.argv[1]])
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def enforcing_moto() -> Iterator[str]:
    """A moto server that lets set-up calls through until `enforce(endpoint)` is called."""
    port = _free_port()
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "1000000000"}
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(endpoint, process)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(endpoint: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "moto_server exited"
        try:
            httpx.get(f"{endpoint}/moto-api/", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("moto_server did not start")


def enforce(endpoint: str) -> None:
    """From now on every request is authenticated and authorised (moto's reset-auth)."""
    response = httpx.post(f"{endpoint}/moto-api/reset-auth", content=b"0", timeout=10)
    assert response.status_code == 200, response.text


# ---------------------------------------------------------------- the template's policies


def role_statements(template: cfn.Template, role: str, arns: dict[str, str]) -> list[Any]:
    """Every statement the template gives `role`: its inline policies and the AWS::IAM::Policy
    resources attached to it, with resource references replaced by the test's ARNs."""
    found: list[Any] = []
    resources = template["Resources"]
    for policy in resources[role]["Properties"]["Policies"]:
        chosen = _choose(policy)
        if chosen is not None:
            found += cfn.as_list(chosen["PolicyDocument"]["Statement"])
    for resource in resources.values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Policy" and {"Ref": role} in properties["Roles"]:
            found += cfn.as_list(properties["PolicyDocument"]["Statement"])
    return [_resolve(statement, arns) for statement in found]


def _choose(value: Any) -> Any:
    if isinstance(value, dict) and "Fn::If" in value:
        condition, yes, no = value["Fn::If"]
        chosen = yes if CONDITIONS[condition] else no
        return None if chosen == {"Ref": "AWS::NoValue"} else chosen
    return value


def _resolve(value: Any, arns: dict[str, str]) -> Any:
    if isinstance(value, list):
        return [_resolve(v, arns) for v in value]
    if not isinstance(value, dict):
        return value
    if "Ref" in value:
        return arns[value["Ref"]]
    if "Fn::GetAtt" in value:
        name, attribute = value["Fn::GetAtt"]
        return arns[f"{name}.{attribute}"]
    if "Fn::Sub" in value:
        return re.sub(r"\$\{([^}]+)\}", lambda m: arns[m.group(1)], value["Fn::Sub"])
    return {k: _resolve(v, arns) for k, v in value.items()}


def for_moto(statements: list[Any]) -> list[Any]:
    """The statements as the moto server can judge them: the services it checks on "*" get
    their resources widened (their actions are still checked)."""
    judged = []
    for statement in statements:
        actions = cfn.as_list(statement["Action"])
        if all(a.startswith(ACTION_ONLY) for a in actions):
            statement = {**statement, "Resource": "*"}
        judged.append(statement)
    return judged


# ---------------------------------------------------------------- DynamoDB, judged here


def table_arn(table: str, index: str | None = None) -> str:
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}"
    return f"{arn}/index/{index}" if index else arn


TRANSACT_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


def dynamodb_requests(
    operation: str, params: dict[str, Any]
) -> list[tuple[str, str, list[str] | None]]:
    """(action, resource, leading keys) that IAM authorises for one DynamoDB call."""
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [
            (f"dynamodb:{TRANSACT_ITEM_ACTIONS[kind]}", table_arn(body["TableName"]),
             leading_keys(body))
            for item in params["TransactItems"]
            for kind, body in item.items()
        ]  # fmt: skip
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return [
            (f"dynamodb:{operation}", table_arn(t), leading_keys({"RequestItems": {t: r}}))
            for t, r in params["RequestItems"].items()
        ]
    arn = table_arn(params["TableName"], params.get("IndexName"))
    return [(f"dynamodb:{operation}", arn, leading_keys(params))]


LEADING_KEYS = "dynamodb:LeadingKeys"
PARTITION_KEY = "pk"  # the table's partition key (adapters/aws/dynamodb_schema.py)


def leading_keys(params: dict[str, Any]) -> list[str] | None:
    """The partition key values one DynamoDB call touches, as IAM's `dynamodb:LeadingKeys`
    sees them; None when the call names no item (a Query's key is in its expression)."""
    for named in ("Item", "Key"):
        if named in params:
            return [params[named][PARTITION_KEY]["S"]]
    if "RequestItems" in params:
        keys = []
        for requests in params["RequestItems"].values():
            for request in requests if isinstance(requests, list) else requests["Keys"]:
                keys.append(_named_item(request)[PARTITION_KEY]["S"])
        return keys
    return None


def _named_item(request: dict[str, Any]) -> dict[str, Any]:
    """A batch write's put item or delete key; a batch get's entry is the key itself."""
    if "PutRequest" in request:
        return dict(request["PutRequest"]["Item"])
    if "DeleteRequest" in request:
        return dict(request["DeleteRequest"]["Key"])
    return request


def with_leading_keys(statements: list[Any], keys: list[str] | None) -> list[Any]:
    """moto's evaluator ignores `ForAllValues:StringEquals`, so a statement conditioned on
    `dynamodb:LeadingKeys` is judged here: kept (condition met) when every key the call touches
    is one it names, else dropped. Any other condition is left to moto."""
    judged = []
    for statement in statements:
        condition = statement.get("Condition", {})
        allowed = condition.get("ForAllValues:StringEquals", {}).get(LEADING_KEYS)
        if allowed is None:
            judged.append(statement)
        elif keys is not None and set(keys) <= set(cfn.as_list(allowed)):
            judged.append({k: v for k, v in statement.items() if k != "Condition"})
    return judged


class JudgedPolicy:
    """Statements judged by moto's policy evaluator (and `dynamodb:LeadingKeys` here). As a
    DynamoDB client's `before-parameter-build` handler it refuses, as DynamoDB would with
    AccessDeniedException, every call the statements do not allow."""

    def __init__(self, statements: list[Any]) -> None:
        self._statements = statements
        self._conditioned = with_leading_keys(statements, None) != statements
        self._policy = IAMPolicy(policy_json(with_leading_keys(statements, None)))
        self.refused: list[tuple[str, str]] = []

    def allows(self, action: str, resource: str, keys: list[str] | None = None) -> bool:
        policy = self._policy
        if keys is not None and self._conditioned:
            policy = IAMPolicy(policy_json(with_leading_keys(self._statements, keys)))
        return policy.is_action_permitted(action, resource) == PermissionResult.PERMITTED

    def __call__(self, params: dict[str, Any], model: Any, **kwargs: Any) -> None:
        for action, resource, keys in dynamodb_requests(model.name, params):
            if not self.allows(action, resource, keys):
                self.refused.append((action, resource))
                answer: Any = {
                    "Error": {
                        "Code": "AccessDeniedException",
                        "Message": f"not authorized to perform: {action} on {resource}",
                    },
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                }
                raise ClientError(answer, model.name)


def policy_json(statements: list[Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
