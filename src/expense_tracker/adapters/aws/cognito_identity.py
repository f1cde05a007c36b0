"""The IdentityProvider on an Amazon Cognito user pool (`cognito-idp`).

- Sign-up passes the e-mail as the user name; the user id is the pool's `sub`. The deployed
  pool signs users in by e-mail (a username attribute) and names them by `sub`, so access
  tokens carry no e-mail: it is looked up once per user (AdminGetUser) and cached.
- Sign-in is USER_PASSWORD_AUTH; the app client must allow it and have no client secret.
- Refresh is GetTokensFromRefreshToken with refresh-token rotation on the app client: a refresh
  token is replaced at each use, and presenting a replaced one again revokes its whole session
  (the contract's reuse detection). The app client's grace period (RetryGracePeriodSeconds, 60 s
  in the template) lets the same token be presented again for a minute after its use and get
  fresh tokens: a response lost on the way (a dropped connection, a timeout, botocore's own
  retry of a call Cognito had already served) is retried by the client with the token it still
  holds, and must not look like theft and log the user out. Outside the grace period a reuse is
  theft or a very stale client, and the session ends.
- Reuse detection fails closed: if revoking the reused token's session fails, the request fails
  (503, not 401: the session may still be live) and a CloudWatch metric (metrics.REVOKE_FAILED)
  feeds the template's alarm; it is never swallowed.
- Logout revokes the refresh token (RevokeToken), which also ends the access tokens issued from
  it at Cognito; tokens we verify ourselves stay valid until they expire (minutes).
- Access tokens are verified locally against the pool's JWKS (see cognito_tokens)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ...domain.errors import (
    BadRequest,
    Conflict,
    ExpenseError,
    FieldError,
    Invalid,
    RateLimited,
    StorageError,
    Unauthorized,
)
from ...ports import Principal, SignupResult, TokenPair
from . import metrics
from .cognito_tokens import INVALID_TOKEN, AccessTokenVerifier

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

WRONG_CREDENTIALS = "Wrong e-mail or password"
BAD_CODE = "The confirmation code is wrong or has expired"
REFRESH_INVALID = "The refresh token is not valid"
_THROTTLED = {
    "TooManyRequestsException",
    "LimitExceededException",
    "TooManyFailedAttemptsException",
}
_EMAIL_CACHE_MAX = 10_000

Known = Mapping[str, Callable[[], ExpenseError]]


@contextmanager
def cognito_errors(
    operation: str, known: Known, ignore: frozenset[str] = frozenset()
) -> Iterator[None]:
    """Map the error codes an operation expects; throttling -> 429; the rest -> 503.
    Cognito's own message texts never reach a client. Codes in `ignore` are swallowed."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
        if code in ignore:
            return
        if code in known:
            raise known[code]() from exc
        if code in _THROTTLED:
            raise RateLimited(1) from exc
        raise StorageError(f"Cognito {operation} failed ({code})") from exc
    except BotoCoreError as exc:
        raise StorageError(f"Cognito {operation} failed ({type(exc).__name__})") from exc


def _wrong_credentials() -> ExpenseError:
    return Unauthorized(WRONG_CREDENTIALS)


def _bad_code() -> ExpenseError:
    return BadRequest(BAD_CODE)


def _unknown_user() -> ExpenseError:
    return Unauthorized(INVALID_TOKEN)


def _refresh_invalid() -> ExpenseError:
    return Unauthorized(REFRESH_INVALID)


class _ReusedRefreshToken(Unauthorized):
    """A refresh token that rotation already replaced: a sign it leaked."""


SIGNUP_ERRORS: Known = {
    "UsernameExistsException": lambda: Conflict("An account with this e-mail already exists"),
    "AliasExistsException": lambda: Conflict("An account with this e-mail already exists"),
    "InvalidPasswordException": lambda: Invalid(
        FieldError("password", "does not meet the password policy")
    ),
    "InvalidParameterException": lambda: Invalid(FieldError("email", "is not accepted")),
}
CONFIRM_ERRORS: Known = dict.fromkeys(
    (
        "CodeMismatchException",
        "ExpiredCodeException",
        "UserNotFoundException",  # indistinguishable from a wrong code
        "NotAuthorizedException",  # already confirmed
        "InvalidParameterException",
    ),
    _bad_code,
)
LOGIN_ERRORS: Known = {
    "NotAuthorizedException": _wrong_credentials,
    "UserNotFoundException": _wrong_credentials,
    "InvalidParameterException": _wrong_credentials,
    "UserNotConfirmedException": lambda: Unauthorized("Confirm the account before signing in"),
    "PasswordResetRequiredException": lambda: Unauthorized("The password must be reset"),
}
REFRESH_ERRORS: Known = {
    **dict.fromkeys(
        ("NotAuthorizedException", "UserNotFoundException", "InvalidParameterException"),
        _refresh_invalid,
    ),
    "RefreshTokenReuseException": lambda: _ReusedRefreshToken(REFRESH_INVALID),
}
# Logging out with a token that is already invalid has nothing left to do.
LOGOUT_IGNORED = frozenset(
    {"NotAuthorizedException", "UnauthorizedException", "InvalidParameterException"}
)


class CognitoIdentity:
    def __init__(
        self,
        client: CognitoIdentityProviderClient,
        *,
        user_pool_id: str,
        client_id: str,
        verifier: AccessTokenVerifier,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._idp = client
        self._pool = user_pool_id
        self._client_id = client_id
        self._verifier = verifier
        self._clock = clock
        self._emails: dict[str, str] = {}
        self._emails_lock = threading.Lock()

    def signup(self, email: str, password: str) -> SignupResult:
        with cognito_errors("SignUp", SIGNUP_ERRORS):
            answer = self._idp.sign_up(
                ClientId=self._client_id,
                Username=email,
                Password=password,
                UserAttributes=[{"Name": "email", "Value": email}],
            )
        return SignupResult(answer["UserSub"], email, not answer["UserConfirmed"])

    def confirm(self, email: str, code: str) -> None:
        with cognito_errors("ConfirmSignUp", CONFIRM_ERRORS):
            self._idp.confirm_sign_up(
                ClientId=self._client_id, Username=email, ConfirmationCode=code
            )

    def login(self, email: str, password: str) -> TokenPair:
        with cognito_errors("InitiateAuth", LOGIN_ERRORS):
            answer = self._idp.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        result = answer.get("AuthenticationResult")
        if not result:  # a challenge (new password, MFA) this API does not offer
            raise Unauthorized("This account needs a sign-in step the app does not support")
        return _pair(result, result.get("RefreshToken", ""))

    def refresh(self, refresh_token: str) -> TokenPair:
        try:
            with cognito_errors("GetTokensFromRefreshToken", REFRESH_ERRORS):
                answer = self._idp.get_tokens_from_refresh_token(
                    RefreshToken=refresh_token, ClientId=self._client_id
                )
        except _ReusedRefreshToken:
            # Whoever holds the rotated-out token, thief or owner, the session it belongs to
            # ends: revoking it revokes every refresh token of the session.
            self._end_session(refresh_token)
            raise
        result = answer.get("AuthenticationResult") or {}
        if not result.get("AccessToken"):
            raise Unauthorized(REFRESH_INVALID)
        # Without rotation Cognito returns no new refresh token: the old one stays in use.
        return _pair(result, result.get("RefreshToken") or refresh_token)

    def _end_session(self, refresh_token: str) -> None:
        """Unlike logout, nothing is ignored: any failure leaves a session that may be stolen."""
        try:
            with cognito_errors("RevokeToken", {}):
                self._idp.revoke_token(Token=refresh_token, ClientId=self._client_id)
        except ExpenseError as exc:
            metrics.count(metrics.REVOKE_FAILED)
            raise StorageError("Cognito RevokeToken failed after a refresh-token reuse") from exc

    def logout(self, refresh_token: str) -> None:
        with cognito_errors("RevokeToken", {}, ignore=LOGOUT_IGNORED):
            self._idp.revoke_token(Token=refresh_token, ClientId=self._client_id)

    def verify(self, access_token: str) -> Principal:
        return self.principal_from_claims(self._verifier.verify(access_token))

    def principal_from_claims(self, claims: Mapping[str, Any]) -> Principal:
        """The principal of verified access-token claims (ours, or API Gateway's authorizer's).
        The claim rules are checked again: the authorizer would accept an ID token."""
        self._verifier.rules.check(claims, self._clock())
        return Principal(str(claims["sub"]), self._email(claims))

    def jwks(self) -> dict[str, object]:
        """The pool's public keys, as Cognito publishes them."""
        return dict(self._verifier.keys.document())

    def _email(self, claims: Mapping[str, Any]) -> str:
        """A pool without e-mail as a username attribute names users by their e-mail; the
        deployed one names them by `sub`, so the e-mail is looked up once per user."""
        username = str(claims.get("username", ""))
        if "@" in username:
            return username
        sub = str(claims["sub"])
        with self._emails_lock:
            known = self._emails.get(sub)
        if known is not None:
            return known
        with cognito_errors("AdminGetUser", {"UserNotFoundException": _unknown_user}):
            user = self._idp.admin_get_user(UserPoolId=self._pool, Username=username or sub)
        attributes = user.get("UserAttributes", [])
        email = next((a["Value"] for a in attributes if a["Name"] == "email"), "")
        with self._emails_lock:
            if len(self._emails) >= _EMAIL_CACHE_MAX:
                self._emails.clear()
            self._emails[sub] = email
        return email


def _pair(result: Mapping[str, Any], refresh_token: str) -> TokenPair:
    return TokenPair(str(result["AccessToken"]), refresh_token, int(result.get("ExpiresIn", 3600)))
