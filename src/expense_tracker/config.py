"""All settings in one place, read once at start-up (env prefix EXPENSE_TRACKER_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .domain.money import parse_currency
from .settings_fields import (
    AWS_REQUIRED,
    DEFAULT_CURRENCY,
    DEFAULT_RATE_BURST,
    DEFAULT_RATE_PER_SECOND,
    ENV_PREFIX,
)

__all__ = ["AWS_REQUIRED", "Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    backend: Literal["local", "aws"] = "local"
    data_dir: Path = Path("data")
    public_url: str = Field(
        default="", description="Origin the browser uses, e.g. http://127.0.0.1:8000 (local)"
    )
    default_currency: str = DEFAULT_CURRENCY
    secret_key: SecretStr | None = Field(
        default=None, description="Signs list cursors; generated into data_dir when local"
    )

    # Local identity provider
    token_issuer: str = "expense-tracker-local"
    token_audience: str = "expense-tracker"
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600

    # Protection
    rate_per_second: float = Field(
        default=DEFAULT_RATE_PER_SECOND, gt=0, description="Per user, sustained"
    )
    rate_burst: int = Field(default=DEFAULT_RATE_BURST, ge=1, description="Per user, saved up")
    # Failed sign-ins: per (e-mail, client address) pair a few are free, then each waits
    # twice as long (up to the window); per e-mail from all addresses and per address over
    # all e-mails, a count per window is a brake. The address's is highest: many people
    # may share one (an office, a NAT).
    login_failures_per_pair: int = Field(default=5, ge=1)
    login_failures_per_email: int = Field(default=100, ge=1)
    login_failures_per_client: int = Field(default=500, ge=1)
    login_failure_window_seconds: int = Field(default=300, ge=1)
    # Sign-ups (each costs an argon2 hash of 19 MiB): per client address and overall.
    signup_rate_per_client: float = Field(default=1.0, gt=0, description="A second")
    signup_burst_per_client: int = Field(default=100, ge=1)
    signup_rate_overall: float = Field(default=5.0, gt=0, description="A second")
    signup_burst_overall: int = Field(default=200, ge=1)
    max_body_bytes: int = 1024 * 1024
    # What one user may keep: receipts, uploads awaiting confirmation, scan photos, import
    # statements (checked at the upload ticket and again at confirm).
    storage_quota_bytes: int = Field(default=1024**3, ge=1, description="Per user")
    # Local server: how often uploads never confirmed are looked for and removed once their
    # ticket has expired (on AWS the bucket's lifecycle rule does it).
    pending_sweep_seconds: float = Field(default=300, gt=0)
    # The local server's request head (request line and headers): at most this many bytes
    # (431 beyond), arriving within this many seconds of the connection opening or of the
    # previous answer, so a huge header or an idle or trickling connection is cut off.
    max_header_bytes: int = Field(default=16 * 1024, ge=1024)
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    keep_alive_seconds: int = Field(default=5, ge=1, description="Idle time between requests")
    # Request bodies, whichever server runs the app: no gap between chunks longer than this,
    # and after it at least this many bytes a second on average (else 408, connection closed).
    body_timeout_seconds: float = Field(default=10.0, gt=0)
    min_body_bytes_per_second: int = Field(default=1024, ge=1)
    access_log: Literal["off", "json"] = Field(
        default="off", description="The local server's access log: off, or JSON lines on stderr"
    )

    # Exchange rates: the ECB history shipped with the app; `serve` turns the daily refresh on.
    rates_refresh: bool = Field(default=False, description="Fetch the ECB's file in the server")
    rates_url: str = Field(default="", description="Where to fetch it; empty: the ECB's own")
    rates_refresh_seconds: float = Field(default=86400, gt=0)
    rates_daily_url: str = Field(
        default="", description="AWS: the ECB's 90-day XML the daily function stores"
    )
    recurring_schedule: bool = Field(
        default=True, description="Local server: run due recurring expenses at start and daily"
    )

    # Alert e-mails (off unless a host, or on AWS a sender for SES, is set)
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_sender: str = Field(default="", description="From: of alert e-mails (also SES's)")
    # Receipt scans: "auto" (or "local") is Tesseract locally and Textract on AWS; "rapidocr"
    # the optional engine of the `rapidocr` extra; "memory" answers a fixed sample receipt
    # (tests, and deployments without OCR).
    scan_reader: Literal["auto", "local", "rapidocr", "textract", "memory"] = "auto"

    # AWS backend
    region: str = ""
    table_name: str = ""
    receipts_bucket: str = ""
    data_lake_bucket: str = ""
    jobs_queue_url: str = Field(
        default="", description="The jobs queue (SQS); empty: jobs run inline in the request"
    )
    user_pool_id: str = ""
    user_pool_client_id: str = ""
    jwks_url: str = ""
    # On Lambda the cursor secret is read from Secrets Manager at init, never from the
    # environment; secret_key stays for the local stand-ins.
    secret_arn: str = Field(default="", description="Secrets Manager secret: the cursor key")
    origin_secret_arn: str = Field(
        default="", description="Secrets Manager secret CloudFront sends as X-Origin-Verify"
    )
    aws_endpoint_url: str = Field(default="", description="Tests only: a local stand-in")
    dynamodb_endpoint_url: str = Field(
        default="", description="Tests only: DynamoDB Local (else aws_endpoint_url)"
    )

    @field_validator("default_currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return parse_currency(value, "default_currency")

    def missing_for_aws(self) -> list[str]:
        missing = [name for name in AWS_REQUIRED if not getattr(self, name)]
        # No data_dir to keep a generated one in: one of the two must be configured.
        return missing + ([] if self.secret_key or self.secret_arn else ["secret_arn"])
