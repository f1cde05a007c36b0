"""A user's settings: the default currency of new expenses, the home currency totals are read
in (the default currency until one is chosen), and the locale pages format for."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import FieldError, Invalid

DEFAULT_LOCALE = "en"
LOCALE_MAX = 35  # RFC 5646's longest common tag is well inside this


@dataclass(frozen=True)
class Profile:
    default_currency: str
    home_currency: str | None = None  # None: follow the default currency
    locale: str = DEFAULT_LOCALE

    @property
    def effective_home(self) -> str:
        return self.home_currency or self.default_currency


@dataclass(frozen=True)
class ProfileChanges:
    """Only the fields given change."""

    default_currency: str | None = None
    home_currency: str | None = None
    locale: str | None = None


def parse_locale(value: object, field: str = "locale") -> str:
    """A well-formed, valid BCP 47 tag ("de-DE", "zh-Hant-TW"), in its canonical form."""
    import langcodes  # here: its tables take a while to import, and few requests need them

    if (
        not isinstance(value, str)
        or not value
        or len(value) > LOCALE_MAX
        or "_" in value  # a POSIX locale name, not a BCP 47 tag
        or not langcodes.tag_is_valid(value)
    ):
        raise Invalid(FieldError(field, "must be a BCP 47 language tag such as en or de-DE"))
    return str(langcodes.standardize_tag(value))
