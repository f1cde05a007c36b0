"""The Cognito identity adapter against moto's cognito-idp (with tests/support/moto_cognito)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.config import Config

from expense_tracker.adapters.aws.cognito_identity import CognitoIdentity
from expense_tracker.domain.errors import (
    BadRequest,
    Conflict,
    Invalid,
    StorageError,
    Unauthorized,
)
from tests.aws.cognito_helpers import (
    SignedIn,
    access_claims,
    identity_for,
    moto_signed,
    signed_in_user,
    unique_email,
)
from tests.support.api import PASSWORD
from tests.support.aws_stack import AwsStack, UserPool, create_user_pool
from tests.support.dynamodb_local import RecordingClient

pytestmark = pytest.mark.aws


@pytest.fixture(scope="module")
def pool(aws_stack: AwsStack) -> UserPool:
    return create_user_pool(aws_stack.cognito)


@pytest.fixture
def identity(aws_stack: AwsStack, pool: UserPool) -> CognitoIdentity:
    return identity_for(aws_stack, pool)


@pytest.fixture
def user(aws_stack: AwsStack, pool: UserPool, identity: CognitoIdentity) -> SignedIn:
    return signed_in_user(aws_stack, pool, identity)


# Sign-up and confirmation


def test_signup_answers_the_pools_sub_and_asks_for_confirmation(
    aws_stack: AwsStack, pool: UserPool, identity: CognitoIdentity
) -> None:
    email = unique_email()
    result = identity.signup(email, PASSWORD)
    found = aws_stack.cognito.admin_get_user(UserPoolId=pool.pool_id, Username=email)
    sub = next(a["Value"] for a in found["UserAttributes"] if a["Name"] == "sub")
    assert (result.user_id, result.email, result.confirmation_required) == (sub, email, True)


def test_signup_with_a_taken_email_is_a_conflict(identity: CognitoIdentity, user: SignedIn) -> None:
    with pytest.raises(Conflict):
        identity.signup(user.email, "another fine passphrase")


def test_a_password_the_pool_refuses_is_invalid(identity: CognitoIdentity) -> None:
    with pytest.raises(Invalid) as refused:
        identity.signup(unique_email(), "short")
    assert [e.field for e in refused.value.errors] == ["password"]


def test_a_wrong_confirmation_code_is_a_bad_request(identity: CognitoIdentity) -> None:
    email = unique_email()
    identity.signup(email, PASSWORD)
    with pytest.raises(BadRequest):
        identity.confirm(email, "000000")
    with pytest.raises(Unauthorized):  # still unconfirmed
        identity.login(email, PASSWORD)


def test_confirming_twice_or_an_unknown_email_is_a_bad_request(
    identity: CognitoIdentity, user: SignedIn
) -> None:
    for email in (user.email, unique_email()):
        with pytest.raises(BadRequest):
            identity.confirm(email, "424242")


# Sign-in


def test_wrong_password_and_unknown_email_get_the_same_error(
    identity: CognitoIdentity, user: SignedIn
) -> None:
    with pytest.raises(Unauthorized) as wrong:
        identity.login(user.email, "not the password")
    with pytest.raises(Unauthorized) as unknown:
        identity.login(unique_email(), PASSWORD)
    assert wrong.value.detail == unknown.value.detail == "Wrong e-mail or password"


def test_login_gives_tokens_that_verify_as_the_user(
    identity: CognitoIdentity, user: SignedIn
) -> None:
    pair = identity.login(user.email, PASSWORD)
    assert 0 < pair.expires_in <= 3600
    principal = identity.verify(pair.access_token)
    assert (principal.user_id, principal.email) == (user.user_id, user.email)


# Refresh and logout


def test_refresh_rotates_and_a_used_refresh_token_is_refused(
    identity: CognitoIdentity, user: SignedIn
) -> None:
    rotated = identity.refresh(user.refresh_token)
    assert rotated.refresh_token != user.refresh_token
    assert identity.verify(rotated.access_token).user_id == user.user_id
    with pytest.raises(Unauthorized):
        identity.refresh(user.refresh_token)


def test_reusing_a_refresh_token_ends_its_session_only(
    identity: CognitoIdentity, user: SignedIn
) -> None:
    other_session = identity.login(user.email, PASSWORD)
    rotated = identity.refresh(user.refresh_token)
    with pytest.raises(Unauthorized):
        identity.refresh(user.refresh_token)  # the reuse
    with pytest.raises(Unauthorized):
        identity.refresh(rotated.refresh_token)  # its session is over
    assert identity.refresh(other_session.refresh_token).access_token


def test_logout_revokes_the_refresh_token(identity: CognitoIdentity, user: SignedIn) -> None:
    identity.logout(user.refresh_token)
    with pytest.raises(Unauthorized):
        identity.refresh(user.refresh_token)


def test_logout_with_an_unknown_token_does_nothing(identity: CognitoIdentity) -> None:
    identity.logout("not-a-refresh-token")
    with pytest.raises(Unauthorized):
        identity.refresh("not-a-refresh-token")


# Verifying access tokens


def test_an_id_token_is_not_an_access_token(identity: CognitoIdentity, user: SignedIn) -> None:
    with pytest.raises(Unauthorized):
        identity.verify(user.id_token)


def test_a_token_of_another_pool_is_refused(aws_stack: AwsStack, identity: CognitoIdentity) -> None:
    elsewhere = create_user_pool(aws_stack.cognito)
    stranger = signed_in_user(aws_stack, elsewhere, identity_for(aws_stack, elsewhere))
    with pytest.raises(Unauthorized):
        identity.verify(stranger.access_token)


def test_a_token_of_another_app_client_of_the_same_pool_is_refused(
    aws_stack: AwsStack, pool: UserPool, identity: CognitoIdentity, user: SignedIn
) -> None:
    other_client = aws_stack.cognito.create_user_pool_client(
        UserPoolId=pool.pool_id,
        ClientName="other",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    result = aws_stack.cognito.initiate_auth(
        ClientId=other_client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user.email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    with pytest.raises(Unauthorized):
        identity.verify(result["AccessToken"])


def test_a_token_signed_like_cognito_with_valid_claims_is_accepted(
    pool: UserPool, identity: CognitoIdentity, user: SignedIn
) -> None:
    """The control for the forged tokens below: signing alone changes nothing."""
    assert identity.verify(moto_signed(access_claims(pool, user.user_id))).user_id == user.user_id


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": int(time.time()) - 1},
        {"exp": None},
        {"token_use": "id"},
        {"client_id": "another-client"},
        {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"},
        {"sub": None},
        {"aud": "some-client"},
    ],
    ids=["expired", "no-exp", "id-use", "other-client", "other-pool", "no-sub", "with-aud"],
)
def test_tokens_with_wrong_or_missing_claims_are_refused(
    pool: UserPool, identity: CognitoIdentity, user: SignedIn, changes: dict[str, Any]
) -> None:
    claims = {
        k: v for k, v in access_claims(pool, user.user_id, **changes).items() if v is not None
    }
    with pytest.raises(Unauthorized):
        identity.verify(moto_signed(claims))


def test_a_tampered_token_is_refused(identity: CognitoIdentity, user: SignedIn) -> None:
    header, payload, signature = user.access_token.split(".")
    flipped = ("A" if signature[5] != "A" else "B").join((signature[:5], signature[6:]))
    with pytest.raises(Unauthorized):
        identity.verify(f"{header}.{payload}.{flipped}")


@pytest.mark.parametrize(
    "header", [{"kid": "unknown"}, {"alg": "RS512"}, {"alg": "HS256"}, {"kid": None}]
)
def test_an_unexpected_header_is_refused(
    pool: UserPool, identity: CognitoIdentity, user: SignedIn, header: dict[str, Any]
) -> None:
    with pytest.raises(Unauthorized):
        identity.verify(moto_signed(access_claims(pool, user.user_id), **header))


def test_the_email_of_a_sub_named_user_is_looked_up_once(
    aws_stack: AwsStack, pool: UserPool, user: SignedIn
) -> None:
    """The pool names users by `sub` (e-mail is a sign-in alias): one AdminGetUser per user."""
    recording = RecordingClient(aws_stack.cognito)  # type: ignore[arg-type]
    identity = identity_for(aws_stack, pool, client=recording)
    for _ in range(3):
        assert identity.verify(user.access_token).email == user.email
    assert recording.operations().count("admin_get_user") == 1


def test_in_a_pool_named_by_email_the_claim_gives_the_email(aws_stack: AwsStack) -> None:
    by_email = create_user_pool(aws_stack.cognito, email_is_username_attribute=False)
    recording = RecordingClient(aws_stack.cognito)  # type: ignore[arg-type]
    identity = identity_for(aws_stack, by_email, client=recording)
    user = signed_in_user(aws_stack, by_email, identity)
    assert identity.verify(user.access_token).email == user.email
    assert "admin_get_user" not in recording.operations()


# Failures of the service


def test_an_unreachable_cognito_is_a_storage_error_without_sdk_text(
    aws_stack: AwsStack, pool: UserPool
) -> None:
    import boto3

    dead = boto3.client(
        "cognito-idp",
        endpoint_url="http://127.0.0.1:9",
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    identity = identity_for(aws_stack, pool, client=dead)
    with pytest.raises(StorageError) as failed:
        identity.login(unique_email(), PASSWORD)
    assert failed.value.detail == "Cognito InitiateAuth failed (EndpointConnectionError)"
