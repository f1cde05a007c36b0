"""The Lambda lane reads its settings as Settings reads them, or not at all; its framework-free
copies (the health body, the query rules) match the full app's."""

from __future__ import annotations

import pytest

from expense_tracker import __version__
from expense_tracker.config import Settings
from expense_tracker.entrypoints.http import read_params
from expense_tracker.entrypoints.http.read_bodies import HEALTH_BODY
from expense_tracker.entrypoints.http.schemas import HealthOut
from expense_tracker.settings_fields import AWS_REQUIRED, TEXT_FIELDS, lane_settings

BASE = {f"EXPENSE_TRACKER_{name.upper()}": f"{name}-value" for name in AWS_REQUIRED}
BASE["EXPENSE_TRACKER_SECRET_ARN"] = "arn:secret"


def model(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(backend="aws")


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"EXPENSE_TRACKER_RATE_PER_SECOND": "2.5", "EXPENSE_TRACKER_RATE_BURST": "7"},
        {"expense_tracker_default_currency": "EUR", "EXPENSE_TRACKER_DATA_LAKE_BUCKET": "lake"},
        {"EXPENSE_TRACKER_SECRET_KEY": "k" * 40, "EXPENSE_TRACKER_JWKS_URL": "http://x/jwks"},
    ],
)
def test_the_lane_reads_what_the_model_reads(
    extra: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**BASE, **extra}
    found = lane_settings(env)
    settings = model(env, monkeypatch)
    assert found is not None
    assert found.rate_per_second == settings.rate_per_second
    assert found.rate_burst == settings.rate_burst
    assert found.default_currency == settings.default_currency
    secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
    assert found.secret_key == secret
    assert dict(found.text) == {name: getattr(settings, name) for name in TEXT_FIELDS}


@pytest.mark.parametrize(
    "extra",
    [
        {"EXPENSE_TRACKER_RATE_PER_SECOND": "0"},
        {"EXPENSE_TRACKER_RATE_PER_SECOND": "fast"},
        {"EXPENSE_TRACKER_RATE_BURST": "0"},
        {"EXPENSE_TRACKER_DEFAULT_CURRENCY": "XXX1"},
        {"EXPENSE_TRACKER_ACCESS_LOG": "json"},
        {"EXPENSE_TRACKER_SCAN_READER": "local"},
        {"EXPENSE_TRACKER_MAX_BODY_BYTES": "10"},  # not the lane's: the model validates it
        {"EXPENSE_TRACKER_TABLE_NAME": ""},
        {"EXPENSE_TRACKER_SECRET_ARN": ""},
        {"expense_tracker_region": "eu-west-1"},  # two spellings of one name
    ],
)
def test_anything_not_plainly_valid_leaves_the_settings_to_the_model(
    extra: dict[str, str],
) -> None:
    assert lane_settings({**BASE, **extra}) is None


def test_the_lanes_text_fields_are_plain_text_in_the_model() -> None:
    for name in TEXT_FIELDS:
        field = Settings.model_fields[name]
        assert field.annotation is str and field.metadata == [], name


def test_the_health_body_is_the_schemas() -> None:
    schemas = HealthOut(status="ok", version=__version__).model_dump_json().encode()
    assert schemas == HEALTH_BODY


# Whether each lane (the local fast lane and Lambda's share read_params' rules) takes a query
# for (a page of /api/expenses, /api/analytics/summary); the routes answer what it leaves.
QUERIES = {
    "": (True, True),
    "limit=5": (True, True),
    "limit=07": (True, True),
    "limit=0": (False, True),  # a summary has no limit: ignored, as FastAPI ignores it
    "limit=201": (False, True),
    "limit=1&limit=x": (False, True),  # the last of repeated names wins
    "from=2025-02-30": (False, False),
    "from=2025-1-1": (False, False),
    "to=2025-03-01&category=" + "x" * 65: (False, False),
    "q=" + "y" * 201: (False, False),
    "q=ok": (True, False),  # a summary with a text search: the routes' thread pool
    "cursor=abc": (True, True),
    "unknown=1": (True, True),
}


@pytest.mark.parametrize("query", QUERIES)
def test_the_lanes_take_only_plain_queries(query: str) -> None:
    params = read_params.query_params(query.encode())
    taken = tuple(_takes(params, names) for _, names in read_params.READS.values())
    assert taken == QUERIES[query]


def _takes(params: dict[str, str], names: tuple[str, ...]) -> bool:
    try:
        read_params.check(params, names)
    except read_params.NotPlain:
        return False
    return True
