"""Builders for the Cognito tests: an identity adapter on a pool of moto's, users in it, and
tokens signed with the key moto signs with (to make expired or otherwise odd ones)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.utilities.utils import load_resource

from expense_tracker.adapters.aws.cognito_identity import CognitoIdentity
from expense_tracker.adapters.aws.cognito_tokens import (
    AccessTokenRules,
    AccessTokenVerifier,
    JwksCache,
    cognito_issuer,
    fetch_json,
)
from tests.support.api import PASSWORD
from tests.support.aws_stack import REGION, AwsStack, UserPool
from tests.support.forge import forge, rs256
from tests.support.moto_cognito import CONFIRMATION_CODE


def identity_for(
    stack: AwsStack,
    pool: UserPool,
    *,
    client: Any = None,
    fetch: Callable[[str], dict[str, Any]] = fetch_json,
) -> CognitoIdentity:
    issuer = cognito_issuer(REGION, pool.pool_id)
    keys = JwksCache(stack.jwks_url(pool), fetch=fetch)
    return CognitoIdentity(
        client or stack.cognito,
        user_pool_id=pool.pool_id,
        client_id=pool.client_id,
        verifier=AccessTokenVerifier(keys, AccessTokenRules(issuer, pool.client_id)),
    )


@dataclass(frozen=True)
class SignedIn:
    email: str
    user_id: str
    access_token: str
    refresh_token: str
    id_token: str


def unique_email() -> str:
    return f"cognito-{uuid.uuid4().hex[:12]}@example.com"


def signed_in_user(stack: AwsStack, pool: UserPool, identity: CognitoIdentity) -> SignedIn:
    """Sign up, confirm with the code, sign in; the ID token straight from Cognito."""
    email = unique_email()
    user_id = identity.signup(email, PASSWORD).user_id
    identity.confirm(email, CONFIRMATION_CODE)
    result = stack.cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return SignedIn(
        email, user_id, result["AccessToken"], result["RefreshToken"], result["IdToken"]
    )


def moto_signed(claims: dict[str, Any], **header: Any) -> str:
    """A token signed with moto's (every pool's) private key, as Cognito would sign it; the
    header may be anything (forge builds what PyJWT refuses to)."""
    private = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key
    assert isinstance(private, rsa.RSAPrivateKey)
    return forge({"alg": "RS256", "kid": "dummy", **header}, claims, rs256(private))


def access_claims(pool: UserPool, user_id: str, **changes: Any) -> dict[str, Any]:
    """The claims of a Cognito access token (user named by `sub`, as in the deployed pool)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": cognito_issuer(REGION, pool.pool_id),
        "sub": user_id,
        "client_id": pool.client_id,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "username": user_id,
        "iat": now,
        "auth_time": now,
        "exp": now + 900,
        "jti": str(uuid.uuid4()),
    }
    claims.update(changes)
    return claims
