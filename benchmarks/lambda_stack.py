"""The AWS stand-ins for the Lambda figures: DynamoDB Local and moto's server (S3, Cognito),
set up as tests/support sets them up for the test suite, with fake credentials only."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from moto.server import ThreadedMotoServer
from pydantic import SecretStr
from tests.support.aws_stack import CLEARED, FAKE_CREDENTIALS, REGION, AwsStack, new_stack
from tests.support.dynamodb_local import dynamodb_local, local_client, unique_table_name
from tests.support.moto_cognito import cognito_additions

from expense_tracker.adapters.aws.dynamodb_schema import create_table
from expense_tracker.config import Settings


@contextmanager
def fake_credentials() -> Iterator[dict[str, str]]:
    """Nothing here may reach a real AWS account: fake keys, no profile, no other endpoint."""
    saved = dict(os.environ)
    for name in CLEARED:
        os.environ.pop(name, None)
    os.environ.update({**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": REGION})
    try:
        yield dict(os.environ)
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def local_stack(workdir: Path) -> Iterator[AwsStack]:
    with fake_credentials(), cognito_additions(), dynamodb_local(workdir) as dynamodb_url:
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        try:
            host, port = moto.get_host_and_port()
            moto_url = f"http://{host}:{port}"
            table = unique_table_name()
            create_table(local_client(dynamodb_url), table)
            yield new_stack(moto_url, dynamodb_url, table)
        finally:
            moto.stop()


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as the EXPENSE_TRACKER_* environment a Lambda function is given: those
    that differ from the defaults, as infra/template.yaml sets them."""
    env = {}
    for name, value in settings.model_dump(exclude_defaults=True).items():
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value not in ("", None):
            env[f"EXPENSE_TRACKER_{name.upper()}"] = str(value)
    return env
