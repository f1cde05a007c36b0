"""Account use cases on top of the IdentityProvider port, with failed-login limits.

The credential rules are checked here so every identity provider (local or Cognito) enforces
the same contract; the local provider checks them again for callers that bypass this layer."""

from __future__ import annotations

from ..domain.credentials import normalise_email, valid_signup
from ..domain.errors import Unauthorized
from ..domain.money import parse_currency
from ..domain.profile import ProfileChanges, parse_locale
from ..ports import IdentityProvider, SignupResult, TokenPair
from .ratelimit import FailureLimiter

__all__ = ["login", "normalise_email", "profile_changes", "signup"]


def signup(*, identity: IdentityProvider, email: str, password: str) -> SignupResult:
    """422 for a malformed e-mail or a weak password; the e-mail is stored in lower case."""
    return identity.signup(valid_signup(email, password), password)


def login(
    *,
    identity: IdentityProvider,
    limits: FailureLimiter,
    email: str,
    password: str,
    client: str,
) -> TokenPair:
    """Sign in; failures count against both the e-mail and the client address.

    A success forgets the e-mail's failures but not the client's: otherwise one account of
    the attacker's own would let a client keep guessing other people's passwords."""
    email = normalise_email(email)
    limits.check(email=email, client=client)
    try:
        tokens = identity.login(email, password)
    except Unauthorized:
        limits.record_failure(email=email, client=client)
        raise
    limits.reset(email=email)
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
