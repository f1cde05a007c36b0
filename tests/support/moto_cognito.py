"""Cognito operations moto lacks or simplifies, added to moto's server for the tests.

moto 5 implements neither GetTokensFromRefreshToken nor RevokeToken, and its ConfirmSignUp
accepts any code for any user. These stand-ins follow Cognito's documented behaviour:

- GetTokensFromRefreshToken: new access and ID tokens; with the app client's
  `RefreshTokenRotation.Feature == "ENABLED"` also a new refresh token, and (grace period 0) the
  submitted one is invalid from then on: using it again raises RefreshTokenReuseException.
- RevokeToken: revokes the refresh token's session (every refresh token sharing its
  `origin_jti`, the session id Cognito puts in access tokens), whether the token presented is
  the current one or one rotated out of the session. That the latter works on Cognito is an
  assumption; the adapter relies on it only to end a session after a reuse.
- DeleteUser (moto lacks it): the access token's user is deleted and signed out.
- ConfirmSignUp: an already confirmed user gets NotAuthorizedException; an unconfirmed one
  needs CONFIRMATION_CODE, anything else is a CodeMismatchException (no code is ever sent).
- Passwords up to Cognito's 256 characters (moto stops at 98): `match_cognito_password_limit`.

Installed on moto's response class, so it serves every ThreadedMotoServer of this process."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.cognitoidp.exceptions import (
    CodeMismatchException,
    NotAuthorizedError,
    ResourceNotFoundError,
)
from moto.cognitoidp.models import CognitoIdpUserPool, UserStatus
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult, EmptyResult

CONFIRMATION_CODE = "424242"
Family = tuple[str, str, str]  # (client id, user name, origin_jti)


class RefreshTokenReuseError(JsonRESTError):
    def __init__(self) -> None:
        super().__init__("RefreshTokenReuseException", "Refresh token has been rotated")


def _pool_of(response: CognitoIdpResponse, client_id: str) -> CognitoIdpUserPool:
    for pool in response.backend.user_pools.values():
        if client_id in pool.clients:
            return pool
    raise ResourceNotFoundError(client_id)


def _rotated(pool: CognitoIdpUserPool) -> dict[str, Family]:
    """Refresh tokens rotated out, by token: kept to tell a reuse from an unknown token."""
    rotated: dict[str, Family] | None = getattr(pool, "_rotated_refresh_tokens", None)
    if rotated is None:
        rotated = {}
        pool._rotated_refresh_tokens = rotated  # type: ignore[attr-defined]
    return rotated


def get_tokens_from_refresh_token(self: CognitoIdpResponse) -> ActionResult:
    client_id, token = self._get_param("ClientId"), self._get_param("RefreshToken")
    pool = _pool_of(self, client_id)
    if token in _rotated(pool):
        raise RefreshTokenReuseError()
    family: Family | None = pool.refresh_tokens.get(token)
    if family is None or family[0] != client_id:
        raise NotAuthorizedError("Invalid Refresh Token")
    access, id_token, expires_in = pool.create_tokens_from_refresh_token(token)
    result: dict[str, Any] = {
        "AccessToken": access,
        "IdToken": id_token,
        "ExpiresIn": expires_in,
        "TokenType": "Bearer",
    }
    rotation = pool.clients[client_id].extended_config.get("RefreshTokenRotation") or {}
    if rotation.get("Feature") == "ENABLED":
        new_token = str(uuid.uuid4())
        pool.refresh_tokens[new_token] = family
        del pool.refresh_tokens[token]
        _rotated(pool)[token] = family
        result["RefreshToken"] = new_token
    return ActionResult({"AuthenticationResult": result})


def revoke_token(self: CognitoIdpResponse) -> ActionResult:
    client_id, token = self._get_param("ClientId"), self._get_param("Token")
    pool = _pool_of(self, client_id)
    family = pool.refresh_tokens.get(token) or _rotated(pool).get(token)
    if family is None or family[0] != client_id:
        return EmptyResult()  # Cognito answers an unknown token with success
    origin = family[2]
    for known, entry in list(pool.refresh_tokens.items()):
        if entry is not None and entry[2] == origin:
            pool.refresh_tokens[known] = None
    return EmptyResult()


def confirm_sign_up(self: CognitoIdpResponse) -> ActionResult:
    pool = _pool_of(self, self._get_param("ClientId"))
    user = pool._get_user(self._get_param("Username"))
    if user is not None and user.status == UserStatus.CONFIRMED:
        raise NotAuthorizedError("User cannot be confirmed. Current status is CONFIRMED")
    if user is None or self._get_param("ConfirmationCode") != CONFIRMATION_CODE:
        raise CodeMismatchException("Invalid verification code provided, please try again.")
    user.status = UserStatus.CONFIRMED
    return EmptyResult()


def delete_user(self: CognitoIdpResponse) -> ActionResult:
    """The user of a valid access token deletes themself; their tokens go with them."""
    token = self._get_param("AccessToken")
    for pool in self.backend.user_pools.values():
        if token in pool.access_tokens:
            _, username = pool.access_tokens[token]
            pool.sign_out(username)
            self.backend.admin_delete_user(pool.id, username)
            return EmptyResult()
    raise NotAuthorizedError("Invalid Access Token")


PATCHES: dict[str, Callable[[CognitoIdpResponse], ActionResult]] = {
    "delete_user": delete_user,
    "get_tokens_from_refresh_token": get_tokens_from_refresh_token,
    "revoke_token": revoke_token,
    "confirm_sign_up": confirm_sign_up,
}


@contextmanager
def cognito_additions() -> Iterator[None]:
    """Install the stand-ins on moto for the duration; restore moto's own afterwards."""
    missing = object()
    saved = {name: CognitoIdpResponse.__dict__.get(name, missing) for name in PATCHES}
    for name, function in PATCHES.items():
        setattr(CognitoIdpResponse, name, function)
    try:
        yield
    finally:
        for name, original in saved.items():
            if original is missing:
                delattr(CognitoIdpResponse, name)
            else:
                setattr(CognitoIdpResponse, name, original)


def match_cognito_password_limit(pool_id: str, region: str) -> None:
    """moto refuses passwords of 99 characters or more; Cognito takes up to 256."""
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.core.models import DEFAULT_ACCOUNT_ID

    pool = cognitoidp_backends[DEFAULT_ACCOUNT_ID][region].user_pools[pool_id]
    policy = pool.extended_config.setdefault("Policies", {}).setdefault("PasswordPolicy", {})
    policy["MaximumLength"] = 257  # moto's check is `length < maximum`
