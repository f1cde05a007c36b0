"""Bodies of the account routes: sign-up, confirmation, tokens and settings (routes/accounts.py),
the account page's password change and deletion (routes/account_page.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictStr
from pydantic.json_schema import SkipJsonSchema

from ...domain.credentials import EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN
from .schemas import CurrencyIn, Schema, Strict


class PasswordChange(Strict):
    current_password: StrictStr = Field(min_length=1, max_length=PASSWORD_MAX)
    # The strength rules are the sign-up's, checked by the service (422 naming this field).
    new_password: StrictStr = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


class AccountDeletion(Strict):
    password: StrictStr = Field(
        min_length=1, max_length=PASSWORD_MAX, description="The current password, to confirm"
    )


EmailIn = Annotated[
    StrictStr,
    Field(
        max_length=EMAIL_MAX, json_schema_extra={"format": "email"}, examples=["ada@example.com"]
    ),
]


class Credentials(Strict):
    email: EmailIn
    password: StrictStr = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


class ConfirmIn(Strict):
    email: EmailIn
    code: StrictStr = Field(max_length=64)


class RefreshIn(Strict):
    refresh_token: StrictStr = Field(max_length=4096)


class SignupOut(Schema):
    user_id: str
    email: str
    confirmation_required: bool


class TokensOut(Schema):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int


class MeOut(Schema):
    user_id: str
    email: str
    default_currency: str
    home_currency: str = Field(description="Totals are converted to it; default: default_currency")
    locale: str = Field(description="A BCP 47 language tag, default en")


class MeUpdate(Strict):
    """Any of the settings; those left out stay as they are."""

    default_currency: CurrencyIn | SkipJsonSchema[None] = None
    home_currency: CurrencyIn | SkipJsonSchema[None] = None
    locale: StrictStr | SkipJsonSchema[None] = Field(
        default=None, max_length=35, examples=["de-DE"], description="A BCP 47 language tag"
    )
