"""Shared test factories."""

# Session-scoped AWS stand-ins (moto server, user pool, bucket) and the app behind Lambda events,
# for tests/aws and the HTTP suite's "aws" backend.
from tests.support.aws_stack import (  # noqa: F401
    aws_api,
    aws_credentials,
    aws_stack,
    moto_endpoint,
)

# Session-scoped DynamoDB Local fixtures, for tests/contract, tests/aws and the HTTP suite.
from tests.support.dynamodb_local import (  # noqa: F401
    dynamodb_client,
    dynamodb_endpoint,
    dynamodb_table,
)
