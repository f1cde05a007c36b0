"""Rules for sign-up credentials: e-mail shape and password policy.

The password policy follows NIST SP 800-63B: a length range and a blocklist of common passwords,
no composition rules. The blocklist is zxcvbn's list of the 30,000 most common leaked passwords
(a package dependency, so it ships with the app and needs no download at run time)."""

from __future__ import annotations

import re
from functools import cache

from .errors import FieldError, Invalid

PASSWORD_MIN = 8
PASSWORD_MAX = 128
EMAIL_MAX = 254  # RFC 5321's limit on a forward path, less the angle brackets

# Unquoted local parts only, and ASCII domains with a TLD: what a careful sign-up form takes.
_LOCAL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TLD = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _email_problem(email: str) -> str | None:
    if len(email) > EMAIL_MAX:
        return f"must be at most {EMAIL_MAX} characters"
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        return "must look like name@example.com"
    if len(local) > 64 or not _LOCAL.fullmatch(local):
        return "has an invalid part before the @"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return "has an invalid domain"
    if not _TLD.fullmatch(labels[-1]):
        return "has an invalid domain"
    return None


def valid_email(email: str) -> str:
    """The normalised e-mail, or Invalid naming the `email` field."""
    normalised = normalise_email(email)
    problem = _email_problem(normalised)
    if problem:
        raise Invalid(FieldError("email", problem))
    return normalised


@cache
def common_passwords() -> frozenset[str]:
    """Loaded on first use: the list is large, and only sign-up needs it."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p for p in FREQUENCY_LISTS["passwords"] if len(p) >= PASSWORD_MIN)


def check_password(password: str) -> None:
    """Invalid naming the `password` field when it is too short, too long or common."""
    if len(password) < PASSWORD_MIN:
        message = f"must be at least {PASSWORD_MIN} characters"
    elif len(password) > PASSWORD_MAX:
        message = f"must be at most {PASSWORD_MAX} characters"
    elif password.lower() in common_passwords():
        # The list is lower case; a capital letter does not make a common password rare.
        message = "is too common; choose a longer or less predictable one"
    else:
        return
    raise Invalid(FieldError("password", message))


def check_password_against(password: str, email: str) -> None:
    """check_password, then Invalid when the password is the e-mail (or its name part) or
    one character repeated: one message for the field."""
    check_password(password)
    folded = password.casefold()
    if folded in {email, email.partition("@")[0]}:
        raise Invalid(FieldError("password", "must not be your e-mail address"))
    if len(set(folded)) == 1:
        raise Invalid(FieldError("password", "must not be one character repeated"))


def valid_signup(email: str, password: str) -> str:
    """Check both fields, reporting every problem at once; returns the normalised e-mail."""
    errors: list[FieldError] = []
    normalised = normalise_email(email)
    for check in (lambda: valid_email(email), lambda: check_password_against(password, normalised)):
        try:
            check()
        except Invalid as exc:
            errors.extend(exc.errors)
    if errors:
        raise Invalid(errors)
    return normalised
