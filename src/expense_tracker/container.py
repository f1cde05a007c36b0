"""The wired set of ports and per-process limiters that the entry points run on.

Each deployment's wiring (adapters/local, adapters/aws) fills one in; bootstrap picks which."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .config import Settings
from .ports import (
    AccountAdmin,
    AccountSecurity,
    Clock,
    ExpenseStore,
    IdentityProvider,
    Profiles,
    ReceiptStore,
)
from .ports.exports import ExportFiles
from .ports.imports import ImportLedger, RuleStore
from .ports.jobs import Background, JobHandler, Jobs
from .ports.mail import Mailer
from .ports.plans import PlanStore
from .ports.rates import Rates
from .ports.reader import ReceiptReader
from .services.cursors import CursorCodec
from .services.ratelimit import (
    FailureLimiter,
    GrowingDelays,
    LoginLimits,
    SignupLimits,
    TokenBuckets,
)


@dataclass
class Container:
    settings: Settings
    store: ExpenseStore
    receipts: ReceiptStore
    identity: IdentityProvider
    profiles: Profiles
    clock: Clock
    cursors: CursorCodec
    jobs: Jobs
    rates: Rates
    exports: ExportFiles
    ledger: ImportLedger
    rules: RuleStore
    plans: PlanStore  # budgets, recurring series, alerts
    reader: ReceiptReader
    accounts: AccountAdmin | None = None
    security: AccountSecurity | None = None  # the account page's password and sign-out calls
    mailer: Mailer | None = None  # alert e-mails; None: not configured (the default)
    # Behind CloudFront only: the secret CloudFront adds to every origin request (a custom
    # origin header), proving its CloudFront-Viewer-Address header is CloudFront's own.
    origin_secret: bytes | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)
    # Job kinds a deployment's adapters bring besides the services' (AWS: the data lake copy).
    adapter_jobs: dict[str, JobHandler] = field(default_factory=dict)
    # Started by the HTTP app's lifespan (the jobs worker, daily tasks); never by the CLI.
    background: list[Background] = field(default_factory=list)
    request_limits: TokenBuckets = field(init=False)
    login_limits: LoginLimits = field(init=False)
    signup_limits: SignupLimits = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.request_limits = TokenBuckets(rate=s.rate_per_second, burst=s.rate_burst)
        window = s.login_failure_window_seconds
        self.login_limits = LoginLimits(
            GrowingDelays(s.login_failures_per_pair, longest=window),
            FailureLimiter(
                {"email": s.login_failures_per_email, "client": s.login_failures_per_client},
                window_seconds=window,
            ),
        )
        self.signup_limits = SignupLimits(
            TokenBuckets(rate=s.signup_rate_per_client, burst=s.signup_burst_per_client),
            TokenBuckets(rate=s.signup_rate_overall, burst=s.signup_burst_overall),
        )

    def close(self) -> None:
        for closer in reversed(self.closers):
            closer()
