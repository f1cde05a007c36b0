"""Account use cases on top of the IdentityProvider port, with failed-login limits."""

from __future__ import annotations

from ..domain.errors import Unauthorized
from ..ports import IdentityProvider, TokenPair
from .ratelimit import FailureLimiter


def normalise_email(email: str) -> str:
    return email.strip().lower()


def login(
    *,
    identity: IdentityProvider,
    limits: FailureLimiter,
    email: str,
    password: str,
    client: str,
) -> TokenPair:
    """Sign in; failures count against both the e-mail and the client address."""
    email_key, client_key = f"email:{normalise_email(email)}", f"client:{client}"
    limits.check(email_key, client_key)
    try:
        tokens = identity.login(normalise_email(email), password)
    except Unauthorized:
        limits.record_failure(email_key, client_key)
        raise
    limits.reset(email_key)
    return tokens
