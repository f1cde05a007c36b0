"""Bodies of the account page's routes (change password, delete the account)."""

from __future__ import annotations

from pydantic import Field, StrictStr

from ...domain.credentials import PASSWORD_MAX, PASSWORD_MIN
from .schemas import Strict


class PasswordChange(Strict):
    current_password: StrictStr = Field(min_length=1, max_length=PASSWORD_MAX)
    # The strength rules are the sign-up's, checked by the service (422 naming this field).
    new_password: StrictStr = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


class AccountDeletion(Strict):
    password: StrictStr = Field(
        min_length=1, max_length=PASSWORD_MAX, description="The current password, to confirm"
    )
