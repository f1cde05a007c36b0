"""Settings -> wired services. Picks the local (SQLite, files) or the AWS adapters.

Each backend is imported lazily so the Lambda package never loads a local adapter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .config import Settings
from .domain.errors import ConfigurationError
from .ports import AccountAdmin, Clock, ExpenseStore, IdentityProvider, Profiles, ReceiptStore
from .services.cursors import CursorCodec
from .services.ratelimit import FailureLimiter, TokenBuckets


@dataclass
class Container:
    settings: Settings
    store: ExpenseStore
    receipts: ReceiptStore
    identity: IdentityProvider
    profiles: Profiles
    clock: Clock
    cursors: CursorCodec
    accounts: AccountAdmin | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)
    request_limits: TokenBuckets = field(init=False)
    login_limits: FailureLimiter = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.request_limits = TokenBuckets(rate=s.rate_per_second, burst=s.rate_burst)
        self.login_limits = FailureLimiter(
            {"email": s.login_failures_per_email, "client": s.login_failures_per_client},
            window_seconds=s.login_failure_window_seconds,
        )

    def close(self) -> None:
        for closer in reversed(self.closers):
            closer()


def build_container(settings: Settings) -> Container:
    if settings.backend == "aws":
        missing = settings.missing_for_aws()
        if missing:
            names = ", ".join(f"EXPENSE_TRACKER_{m.upper()}" for m in missing)
            raise ConfigurationError(f"The AWS backend needs these settings: {names}")
        from .adapters.aws_wiring import build_aws_container

        return build_aws_container(settings)
    from .adapters.local_wiring import build_local_container

    return build_local_container(settings)
