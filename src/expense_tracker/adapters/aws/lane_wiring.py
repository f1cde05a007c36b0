"""What the Lambda lane (entrypoints/lambda_lane.py) reads with: the table's client, the cursor
secret, the stores its plain reads use, the Cognito identity and the per-user rate limits,
made from the lane's settings (settings_fields.py) without the settings model, the container
or any other adapter. The full app, when a request needs it, is built around the same parts
(lambda_handler.full_container): one client, one secret read, one set of rate buckets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ...domain.errors import ConfigurationError
from ...services.cursors import CursorCodec
from ...services.ratelimit import TokenBuckets
from ...settings_fields import LaneSettings
from .clients import BASE_CONFIG, LazyClient, _made, _session, make_client, read_secret_value
from .cognito_identity import CognitoIdentity
from .cognito_tokens import AccessTokenRules, AccessTokenVerifier, JwksCache, cognito_issuer
from .dynamodb_rates import DynamoRatesTable, OverlayRates
from .dynamodb_store import DynamoExpenseStore, DynamoProfiles
from .rs256 import PlainFirstVerifier, PlainKeys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

MIN_SECRET_BYTES = 32


@dataclass
class LaneParts:
    dynamodb: DynamoDBClient
    secret: bytes
    store: DynamoExpenseStore
    profiles: DynamoProfiles
    rates: OverlayRates
    cursors: CursorCodec
    identity: CognitoIdentity
    request_limits: TokenBuckets


def checked_secret(secret: str, name: str) -> bytes:
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"{name} must be at least {MIN_SECRET_BYTES} bytes of random text on the AWS backend"
        )
    return secret.encode()


def make_identity(
    region: str, pool_id: str, client_id: str, jwks_url: str, client: Any, *, plain: bool = False
) -> CognitoIdentity:
    """With `plain` (the lane's), a plainly valid token is checked without PyJWT (rs256.py)."""
    issuer = cognito_issuer(region, pool_id)
    url = jwks_url or f"{issuer}/.well-known/jwks.json"
    verifier = AccessTokenVerifier(JwksCache(url), AccessTokenRules(issuer, client_id))
    if plain:
        verifier = cast("AccessTokenVerifier", PlainFirstVerifier(verifier, PlainKeys(url)))
    return CognitoIdentity(client, user_pool_id=pool_id, client_id=client_id, verifier=verifier)


def build_lane(s: LaneSettings) -> LaneParts:
    t = s.text
    region, table, general = t["region"], t["table_name"], t["aws_endpoint_url"] or None
    one = _session()  # one for every client: a session's set-up costs as much as a client's
    if s.secret_key:
        secret = checked_secret(s.secret_key, "EXPENSE_TRACKER_SECRET_KEY")
    else:
        named = "the secret EXPENSE_TRACKER_SECRET_ARN names"
        secret = checked_secret(read_secret_value(region, general, t["secret_arn"], one), named)
    dynamodb_endpoint = t["dynamodb_endpoint_url"] or general
    dynamodb = _made(make_client(region, "dynamodb", dynamodb_endpoint, BASE_CONFIG, one))
    # Cognito's client only for a user's e-mail, looked up once per user (AdminGetUser).
    cognito = LazyClient(lambda: make_client(region, "cognito-idp", general, BASE_CONFIG, one))
    return LaneParts(
        dynamodb=dynamodb,
        secret=secret,
        store=DynamoExpenseStore(dynamodb, table),
        profiles=DynamoProfiles(dynamodb, table, s.default_currency),
        rates=OverlayRates(DynamoRatesTable(dynamodb, table)),
        cursors=CursorCodec(secret),
        identity=make_identity(
            region, t["user_pool_id"], t["user_pool_client_id"], t["jwks_url"], cognito, plain=True
        ),
        request_limits=TokenBuckets(rate=s.rate_per_second, burst=s.rate_burst),
    )
