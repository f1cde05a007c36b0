"""The few settings the Lambda lane reads without pydantic-settings (entrypoints/lambda_lane.py:
its cold start must not pay for the settings model), and their defaults, which config.Settings
uses too: one source for names and defaults. The lane reads a setting only when its value is
plainly valid under the model's rules (or is a plain text field, valid whatever it says); any
other EXPENSE_TRACKER_* variable, or any doubt, and the lane stands aside: the full app builds
Settings, which validates everything and names what is wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .domain.currencies import MINOR_UNITS

ENV_PREFIX = "EXPENSE_TRACKER_"
DEFAULT_CURRENCY = "USD"
DEFAULT_RATE_PER_SECOND = 100.0
DEFAULT_RATE_BURST = 200
AWS_REQUIRED = (
    "region",
    "table_name",
    "receipts_bucket",
    "user_pool_id",
    "user_pool_client_id",
    "jobs_queue_url",  # jobs run only in the worker function, fed by this queue
)
# Text fields of Settings without a rule (any value is valid; tests/unit pins this).
TEXT_FIELDS = (
    *AWS_REQUIRED,
    "public_url",
    "data_lake_bucket",
    "jwks_url",
    "secret_arn",
    "origin_secret_arn",
    "aws_endpoint_url",
    "dynamodb_endpoint_url",
    "smtp_sender",
)
# backend is given by the handler (Settings(backend="aws")), which wins over the environment.
IGNORED = ("backend",)
_DECIMAL = re.compile(r"[0-9]{1,9}(\.[0-9]{1,9})?")
_COUNT = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class LaneSettings:
    """What the lane needs, read as Settings would read it."""

    text: Mapping[str, str]  # every TEXT_FIELDS name, "" when unset
    secret_key: str
    rate_per_second: float
    rate_burst: int
    default_currency: str


def lane_settings(environ: Mapping[str, str]) -> LaneSettings | None:
    """The lane's settings, or None when anything is not plainly valid (or not the lane's)."""
    found: dict[str, str] = {}
    for key, value in environ.items():
        if key[: len(ENV_PREFIX)].upper() != ENV_PREFIX:
            continue
        name = key[len(ENV_PREFIX) :].lower()  # pydantic-settings ignores the case
        if name in found:
            return None  # two spellings of one name: which wins is the model's business
        found[name] = value
    known = {*TEXT_FIELDS, *IGNORED, "secret_key", "rate_per_second", "rate_burst",
             "default_currency", "access_log", "scan_reader"}  # fmt: skip
    if not known.issuperset(found):
        return None
    return _checked(found)


def _checked(found: dict[str, str]) -> LaneSettings | None:
    rate = found.get("rate_per_second", str(DEFAULT_RATE_PER_SECOND))
    burst = found.get("rate_burst", str(DEFAULT_RATE_BURST))
    currency = found.get("default_currency", DEFAULT_CURRENCY)
    plain = (
        _DECIMAL.fullmatch(rate) is not None
        and float(rate) > 0
        and _COUNT.fullmatch(burst) is not None
        and int(burst) >= 1
        and currency in MINOR_UNITS
        and found.get("access_log", "off") == "off"  # the JSON access log is the full app's
        and found.get("scan_reader", "auto") in ("auto", "textract", "memory")
    )
    text = {name: found.get(name, "") for name in TEXT_FIELDS}
    secret = found.get("secret_key", "")
    if not plain or any(not text[name] for name in AWS_REQUIRED):
        return None
    if not (secret or text["secret_arn"]):
        return None
    return LaneSettings(text, secret, float(rate), int(burst), currency)
