"""One error hierarchy for the whole app; only entrypoints/http maps it to status codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ExpenseError(Exception):
    """Base of every error the app raises on purpose."""

    title = "Error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title


class NotFound(ExpenseError):
    title = "Not found"


class Conflict(ExpenseError):
    title = "Conflict"


class Invalid(ExpenseError):
    """Validation failure, naming the offending fields."""

    title = "Invalid input"

    def __init__(self, errors: list[FieldError] | FieldError, detail: str = "") -> None:
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__(detail or "; ".join(f"{e.field}: {e.message}" for e in self.errors))


class FileTooLarge(Invalid):
    """One file larger than the whole storage quota: it can never be kept (413)."""

    title = "Payload too large"


class QuotaExceeded(Invalid):
    """The file fits the quota, but not what is left of it (507)."""

    title = "Storage quota exceeded"


class BadRequest(ExpenseError):
    title = "Bad request"


class PreconditionFailed(ExpenseError):
    title = "Precondition failed"


class Unauthorized(ExpenseError):
    """Missing or invalid credentials or token."""

    title = "Unauthorized"


class MissingCredentials(Unauthorized):
    """No credentials were presented at all (as opposed to bad ones)."""


class WrongPassword(Unauthorized):
    """A signed-in user's password did not match (the token itself is fine)."""


class Forbidden(ExpenseError):
    title = "Forbidden"


class PayloadTooLarge(ExpenseError):
    title = "Payload too large"


class RateLimited(ExpenseError):
    title = "Too many requests"

    def __init__(self, retry_after: int, detail: str = "") -> None:
        super().__init__(detail or "Too many requests; try again later")
        self.retry_after = max(1, retry_after)


class StorageError(ExpenseError):
    """An adapter failed to talk to its backing store; wraps the SDK's error."""

    title = "Storage unavailable"


class ConfigurationError(ExpenseError):
    title = "Configuration error"
