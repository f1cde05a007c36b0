"""The account page's calls on a Cognito user pool. ChangePassword, GlobalSignOut and
DeleteUser are authorised by the user's own access token (no IAM permission: the function's
role is not asked), so a stolen request cannot act on another account. A password to confirm
a deletion is checked by signing in with it (InitiateAuth); the session that makes ends with
the account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...domain.errors import FieldError, Invalid, Unauthorized, WrongPassword
from ...ports import Principal
from .cognito_identity import Known, cognito_errors
from .cognito_tokens import INVALID_TOKEN

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

WRONG_PASSWORD = "The password is wrong"
# A wrong previous password is NotAuthorizedException, as is a revoked access token: with a
# token the app has just verified, it is the password.
CHANGE_ERRORS: Known = {
    "NotAuthorizedException": lambda: WrongPassword(WRONG_PASSWORD),
    "InvalidPasswordException": lambda: Invalid(
        FieldError("new_password", "does not meet the password policy")
    ),
    "InvalidParameterException": lambda: Invalid(
        FieldError("new_password", "does not meet the password policy")
    ),
}
CHECK_ERRORS: Known = dict.fromkeys(
    ("NotAuthorizedException", "UserNotFoundException", "InvalidParameterException"),
    lambda: WrongPassword(WRONG_PASSWORD),
)
TOKEN_ERRORS: Known = dict.fromkeys(
    ("NotAuthorizedException", "UserNotFoundException"), lambda: Unauthorized(INVALID_TOKEN)
)


class CognitoAccountSecurity:
    def __init__(self, client: CognitoIdentityProviderClient, *, client_id: str) -> None:
        self._idp = client
        self._client_id = client_id

    def check_password(self, principal: Principal, password: str) -> None:
        with cognito_errors("InitiateAuth", CHECK_ERRORS):
            answer = self._idp.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": principal.email, "PASSWORD": password},
            )
        refresh = (answer.get("AuthenticationResult") or {}).get("RefreshToken")
        if refresh:  # only a proof: the session it opened is closed again
            with cognito_errors("RevokeToken", {}, ignore=frozenset({"NotAuthorizedException"})):
                self._idp.revoke_token(Token=refresh, ClientId=self._client_id)

    def change_password(
        self, principal: Principal, access_token: str, current: str, new: str
    ) -> None:
        del principal  # the access token names the user
        with cognito_errors("ChangePassword", CHANGE_ERRORS):
            self._idp.change_password(
                PreviousPassword=current, ProposedPassword=new, AccessToken=access_token
            )
        with cognito_errors("GlobalSignOut", TOKEN_ERRORS):  # every other device, too
            self._idp.global_sign_out(AccessToken=access_token)

    def sign_out_everywhere(self, principal: Principal, access_token: str) -> None:
        del principal
        with cognito_errors("GlobalSignOut", TOKEN_ERRORS):
            self._idp.global_sign_out(AccessToken=access_token)

    def delete_self(self, principal: Principal, access_token: str) -> None:
        del principal
        with cognito_errors("DeleteUser", TOKEN_ERRORS):
            self._idp.delete_user(AccessToken=access_token)
