"""Refresh-token reuse fails closed, and a lost refresh response is retried safely.

moto neither fails a RevokeToken nor models the app client's grace period, so a botocore
Stubber gives the adapter the answers real Cognito can give (a failing RevokeToken after
RefreshTokenRotation reports a reuse), and the template's own settings are checked for the
grace period and the alarm."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from expense_tracker.adapters.aws import metrics
from expense_tracker.adapters.aws.cognito_identity import CognitoIdentity
from expense_tracker.adapters.aws.cognito_tokens import (
    AccessTokenRules,
    AccessTokenVerifier,
    JwksCache,
)
from expense_tracker.domain.errors import StorageError, Unauthorized
from tests.infra import cfn

CLIENT_ID = "web-client"


@pytest.fixture
def stubbed() -> tuple[CognitoIdentity, Stubber]:
    client = boto3.session.Session(
        region_name="eu-south-2", aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x"
    ).client("cognito-idp")
    verifier = AccessTokenVerifier(
        JwksCache("http://127.0.0.1:9/jwks.json"), AccessTokenRules("issuer", CLIENT_ID)
    )
    identity = CognitoIdentity(
        client, user_pool_id="eu-south-2_pool", client_id=CLIENT_ID, verifier=verifier
    )
    return identity, Stubber(client)


def _reused(stubber: Stubber, token: str) -> None:
    stubber.add_client_error(
        "get_tokens_from_refresh_token",
        service_error_code="RefreshTokenReuseException",
        expected_params={"RefreshToken": token, "ClientId": CLIENT_ID},
    )


def _metric_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


def test_a_reuse_revokes_the_session_and_is_refused(
    stubbed: tuple[CognitoIdentity, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    identity, stubber = stubbed
    _reused(stubber, "old")
    stubber.add_response("revoke_token", {}, {"Token": "old", "ClientId": CLIENT_ID})
    with stubber, pytest.raises(Unauthorized):
        identity.refresh("old")
    stubber.assert_no_pending_responses()
    assert _metric_lines(capsys.readouterr().out) == []


@pytest.mark.parametrize("code", ["InternalErrorException", "NotAuthorizedException"])
def test_a_reuse_whose_revocation_fails_is_an_error_and_counted(
    stubbed: tuple[CognitoIdentity, Stubber], capsys: pytest.CaptureFixture[str], code: str
) -> None:
    """Not swallowed, even for the codes a plain logout ignores: the session may be live."""
    identity, stubber = stubbed
    _reused(stubber, "old")
    stubber.add_client_error("revoke_token", service_error_code=code, http_status_code=400)
    with stubber, pytest.raises(StorageError):
        identity.refresh("old")
    (line,) = _metric_lines(capsys.readouterr().out)
    assert line[metrics.REVOKE_FAILED] == 1
    (declared,) = line["_aws"]["CloudWatchMetrics"]  # type: ignore[index]
    assert declared["Namespace"] == metrics.NAMESPACE


def test_a_retry_inside_the_grace_period_gets_tokens_not_a_logout(
    stubbed: tuple[CognitoIdentity, Stubber],
) -> None:
    """Within the grace period real Cognito answers the same token again with tokens; the
    adapter passes them on (and keeps the token when no new one comes)."""
    identity, stubber = stubbed
    answer = {"AuthenticationResult": {"AccessToken": "a2", "ExpiresIn": 900}}
    stubber.add_response("get_tokens_from_refresh_token", answer)
    with stubber:
        pair = identity.refresh("lost-response-token")
    assert (pair.access_token, pair.refresh_token) == ("a2", "lost-response-token")


def test_the_app_client_has_a_retry_grace_period_and_the_failure_an_alarm() -> None:
    template = cfn.source()
    client = cfn.props(template, "UserPoolClient")
    rotation = client["RefreshTokenRotation"]
    assert rotation["Feature"] == "ENABLED"
    # Longer than botocore's retries of one call (3 attempts, 10 s read timeout) plus a client
    # retry; Cognito allows at most 60.
    assert 30 <= rotation["RetryGracePeriodSeconds"] <= 60
    alarms = cfn.resources(template, "AWS::CloudWatch::Alarm").values()
    watched = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms}
    assert (metrics.NAMESPACE, metrics.REVOKE_FAILED) in watched
