"""/api/auth/* and /api/me."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status

from ....domain.profile import Profile
from ....ports import Principal
from ....services import accounts as svc
from ..account_schemas import (
    ConfirmIn,
    Credentials,
    MeOut,
    MeUpdate,
    RefreshIn,
    SignupOut,
    TokensOut,
)
from ..deps import ContainerDep, PrincipalDep, client_address
from .common import problems

router = APIRouter(prefix="/api", tags=["accounts"])
PUBLIC = problems()
PROBLEM = PUBLIC[422]


def _tokens(pair: Any) -> dict[str, Any]:
    return {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "token_type": "Bearer",
        "expires_in": pair.expires_in,
    }


@router.post(
    "/auth/signup",
    status_code=status.HTTP_201_CREATED,
    response_model=SignupOut,
    operation_id="signup",
    responses={409: PROBLEM, **PUBLIC},
)
def signup(
    body: Credentials, c: ContainerDep, client: Annotated[str, Depends(client_address)]
) -> dict[str, Any]:
    result = svc.signup(
        identity=c.identity,
        email=body.email,
        password=body.password,
        limits=c.signup_limits,
        client=client,
    )
    return {
        "user_id": result.user_id,
        "email": result.email,
        "confirmation_required": result.confirmation_required,
    }


@router.post(
    "/auth/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="confirm",
    responses={400: PROBLEM, **PUBLIC},
)
def confirm(body: ConfirmIn, c: ContainerDep) -> Response:
    c.identity.confirm(svc.normalise_email(body.email), body.code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/auth/login",
    response_model=TokensOut,
    operation_id="login",
    responses=PUBLIC,
)
def login(
    body: Credentials, c: ContainerDep, client: Annotated[str, Depends(client_address)]
) -> dict[str, Any]:
    pair = svc.login(
        identity=c.identity,
        limits=c.login_limits,
        email=body.email,
        password=body.password,
        client=client,
    )
    return _tokens(pair)


@router.post(
    "/auth/refresh",
    response_model=TokensOut,
    operation_id="refresh",
    responses=PUBLIC,
)
def refresh(body: RefreshIn, c: ContainerDep) -> dict[str, Any]:
    return _tokens(c.identity.refresh(body.refresh_token))


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="logout",
    responses=problems(),
)
def logout(body: RefreshIn, _principal: PrincipalDep, c: ContainerDep) -> Response:
    c.identity.logout(body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _me(principal: Principal, profile: Profile) -> dict[str, Any]:
    return {
        "user_id": principal.user_id,
        "email": principal.email,
        "default_currency": profile.default_currency,
        "home_currency": profile.effective_home,
        "locale": profile.locale,
    }


@router.get("/me", response_model=MeOut, operation_id="me", responses=problems())
def me(principal: PrincipalDep, c: ContainerDep) -> dict[str, Any]:
    return _me(principal, c.profiles.profile(principal.user_id))


@router.patch("/me", response_model=MeOut, operation_id="update_me", responses=problems())
def update_me(body: MeUpdate, principal: PrincipalDep, c: ContainerDep) -> dict[str, Any]:
    changes = svc.profile_changes(
        default_currency=body.default_currency,
        home_currency=body.home_currency,
        locale=body.locale,
    )
    return _me(principal, c.profiles.update_profile(principal.user_id, changes))
