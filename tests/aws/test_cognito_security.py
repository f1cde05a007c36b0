"""The account page's Cognito calls against moto's cognito-idp (DeleteUser from
tests/support/moto_cognito): ChangePassword, GlobalSignOut, DeleteUser, a password check."""

from __future__ import annotations

import pytest

from expense_tracker.adapters.aws.cognito_identity import CognitoIdentity
from expense_tracker.adapters.aws.cognito_security import CognitoAccountSecurity
from expense_tracker.domain.errors import Invalid, Unauthorized, WrongPassword
from expense_tracker.ports import Principal
from tests.aws.cognito_helpers import SignedIn, identity_for, signed_in_user
from tests.support.api import PASSWORD
from tests.support.aws_stack import AwsStack, UserPool, create_user_pool

pytestmark = pytest.mark.aws
NEW_PASSWORD = "a different horse, a different staple"


@pytest.fixture(scope="module")
def pool(aws_stack: AwsStack) -> UserPool:
    return create_user_pool(aws_stack.cognito)


@pytest.fixture
def identity(aws_stack: AwsStack, pool: UserPool) -> CognitoIdentity:
    return identity_for(aws_stack, pool)


@pytest.fixture
def security(aws_stack: AwsStack, pool: UserPool) -> CognitoAccountSecurity:
    return CognitoAccountSecurity(aws_stack.cognito, client_id=pool.client_id)


@pytest.fixture
def user(aws_stack: AwsStack, pool: UserPool, identity: CognitoIdentity) -> SignedIn:
    return signed_in_user(aws_stack, pool, identity)


def me(user: SignedIn) -> Principal:
    return Principal(user.user_id, user.email)


def test_a_wrong_password_is_refused_without_ending_the_token(
    security: CognitoAccountSecurity, user: SignedIn
) -> None:
    with pytest.raises(WrongPassword):
        security.check_password(me(user), "not the password at all")
    with pytest.raises(WrongPassword):
        security.change_password(me(user), user.access_token, "not it either", NEW_PASSWORD)
    security.check_password(me(user), PASSWORD)  # the right one passes


def test_a_password_the_pool_refuses_names_new_password(
    security: CognitoAccountSecurity, user: SignedIn
) -> None:
    with pytest.raises(Invalid) as refused:
        security.change_password(me(user), user.access_token, PASSWORD, "short")
    assert refused.value.errors[0].field == "new_password"


def test_a_changed_password_signs_in_and_every_refresh_token_is_revoked(
    security: CognitoAccountSecurity, identity: CognitoIdentity, user: SignedIn
) -> None:
    security.change_password(me(user), user.access_token, PASSWORD, NEW_PASSWORD)
    with pytest.raises(Unauthorized):
        identity.refresh(user.refresh_token)
    with pytest.raises(Unauthorized):
        identity.login(user.email, PASSWORD)
    assert identity.login(user.email, NEW_PASSWORD).access_token


def test_sign_out_everywhere_revokes_every_session(
    security: CognitoAccountSecurity, identity: CognitoIdentity, user: SignedIn
) -> None:
    other = identity.login(user.email, PASSWORD)
    security.sign_out_everywhere(me(user), user.access_token)
    for token in (user.refresh_token, other.refresh_token):
        with pytest.raises(Unauthorized):
            identity.refresh(token)


def test_deleting_the_user_ends_sign_in(
    security: CognitoAccountSecurity, identity: CognitoIdentity, user: SignedIn
) -> None:
    security.delete_self(me(user), user.access_token)
    with pytest.raises(Unauthorized):
        identity.login(user.email, PASSWORD)
