"""Account use cases on top of the IdentityProvider port, with failed-login limits.

The credential rules are checked here so every identity provider (local or Cognito) enforces
the same contract; the local provider checks them again for callers that bypass this layer."""

from __future__ import annotations

from ..domain.credentials import normalise_email, valid_signup
from ..domain.errors import Unauthorized
from ..domain.money import parse_currency
from ..domain.profile import ProfileChanges, parse_locale
from ..ports import IdentityProvider, SignupResult, TokenPair
from .ratelimit import LoginLimits, SignupLimits

__all__ = ["login", "normalise_email", "profile_changes", "signup"]


def signup(
    *,
    identity: IdentityProvider,
    email: str,
    password: str,
    limits: SignupLimits | None = None,
    client: str = "",
) -> SignupResult:
    """422 for a malformed e-mail or a weak password; the e-mail is stored in lower case.
    Valid sign-ups are rate limited per client and overall (429) before any hashing."""
    normalised = valid_signup(email, password)
    if limits is not None:
        limits.take(client)
    return identity.signup(normalised, password)


def login(
    *,
    identity: IdentityProvider,
    limits: LoginLimits,
    email: str,
    password: str,
    client: str,
) -> TokenPair:
    """Sign in; failures count against the (e-mail, client) pair, the e-mail and the client
    (see LoginLimits)."""
    email = normalise_email(email)
    limits.check(email, client)
    try:
        tokens = identity.login(email, password)
    except Unauthorized:
        limits.record_failure(email, client)
        raise
    limits.succeeded(email, client)
    return tokens


def profile_changes(
    *, default_currency: str | None, home_currency: str | None, locale: str | None
) -> ProfileChanges:
    """Check each setting given (422 naming it); None leaves a setting as it is."""
    return ProfileChanges(
        default_currency=None
        if default_currency is None
        else parse_currency(default_currency, "default_currency"),
        home_currency=None
        if home_currency is None
        else parse_currency(home_currency, "home_currency"),
        locale=None if locale is None else parse_locale(locale),
    )
