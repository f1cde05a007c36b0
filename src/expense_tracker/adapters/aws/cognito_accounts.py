"""The user pool's accounts, for migration (run by an operator with admin rights on the pool,
never by the API function). Cognito cannot take a password hash, so an account made here is
set to "reset required": its owner chooses a new password with the code Cognito e-mails."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ...ports import Account
from ...ports.migration import EnsuredAccount
from .cognito_identity import cognito_errors

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

PASSWORD_NOTE = (
    "Cognito cannot take passwords from elsewhere: every account this migration made must "
    'reset its password ("Forgot password" with the code Cognito e-mails) before signing in.'
)


def _attribute(attributes: list[Any], name: str) -> str:
    return next((str(a["Value"]) for a in attributes if a["Name"] == name), "")


class CognitoAccountDirectory:
    password_note = PASSWORD_NOTE

    def __init__(self, client: CognitoIdentityProviderClient, user_pool_id: str) -> None:
        self._idp = client
        self._pool = user_pool_id

    def accounts(self) -> Iterator[Account]:
        with cognito_errors("ListUsers", {}):
            for page in self._idp.get_paginator("list_users").paginate(UserPoolId=self._pool):
                for user in page.get("Users", []):
                    attributes = user.get("Attributes", [])
                    created = user.get("UserCreateDate") or datetime.now(UTC)
                    yield Account(
                        _attribute(attributes, "sub"), _attribute(attributes, "email"), created
                    )

    def ensure(self, email: str) -> EnsuredAccount:
        existing = self._find(email)
        if existing is not None:
            return EnsuredAccount(existing, created=False)
        with cognito_errors("AdminCreateUser", {}):
            made = self._idp.admin_create_user(
                UserPoolId=self._pool,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
                MessageAction="SUPPRESS",  # no temporary password by mail: a reset follows
            )
            # Confirmed with a random password nobody knows, then "reset required".
            self._idp.admin_set_user_password(
                UserPoolId=self._pool,
                Username=email,
                Password=secrets.token_urlsafe(24) + "aA1!",
                Permanent=True,
            )
            self._idp.admin_reset_user_password(UserPoolId=self._pool, Username=email)
        return EnsuredAccount(_attribute(made["User"].get("Attributes", []), "sub"), created=True)

    def _find(self, email: str) -> str | None:
        quoted = email.replace("\\", "\\\\").replace('"', '\\"')  # the filter's escapes
        with cognito_errors("ListUsers", {}):
            found = self._idp.list_users(
                UserPoolId=self._pool, Filter=f'email = "{quoted}"', Limit=1
            ).get("Users", [])
        return _attribute(found[0].get("Attributes", []), "sub") if found else None
