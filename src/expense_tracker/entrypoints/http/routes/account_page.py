"""The account page's routes: change the password, sign out everywhere, delete my account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from ....domain.errors import NotFound
from ....ports import AccountSecurity
from ....services import my_account as svc
from ..account_schemas import AccountDeletion, PasswordChange
from ..deps import ContainerDep, PrincipalDep, client_address
from .common import problems

router = APIRouter(prefix="/api", tags=["accounts"])


def caller(principal: PrincipalDep, request: Request, client: str) -> svc.Caller:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return svc.Caller(principal, token.strip() if scheme.lower() == "bearer" else "", client)


def security(c: ContainerDep) -> AccountSecurity:
    if c.security is None:
        raise NotFound("This deployment does not manage accounts")
    return c.security


ClientDep = Annotated[str, Depends(client_address)]
SecurityDep = Annotated[AccountSecurity, Depends(security)]


@router.post(
    "/auth/password",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="change_password",
    responses=problems(),
)
def change_password(
    body: PasswordChange,
    principal: PrincipalDep,
    request: Request,
    client: ClientDep,
    account: SecurityDep,
    c: ContainerDep,
) -> Response:
    """Change the password (401 when `current_password` is wrong, 422 when `new_password` is
    weak). Every refresh token of the account is revoked: other devices are signed out, and
    this one signs in again with the new password once its access token expires."""
    svc.change_password(
        security=account,
        limits=c.login_limits,
        caller=caller(principal, request, client),
        current=body.current_password,
        new=body.new_password,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/auth/logout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="logout_all",
    responses=problems(),
)
def logout_all(
    principal: PrincipalDep, request: Request, client: ClientDep, account: SecurityDep
) -> Response:
    """Sign out everywhere: every refresh token of the account is revoked (access tokens
    already issued end with their short lifetime)."""
    svc.sign_out_everywhere(security=account, caller=caller(principal, request, client))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_me",
    responses=problems(),
)
def delete_me(
    body: AccountDeletion,
    principal: PrincipalDep,
    request: Request,
    client: ClientDep,
    account: SecurityDep,
    c: ContainerDep,
) -> Response:
    """Delete the account and everything in it (expenses, receipts and their files, budgets,
    recurring expenses, rules, alerts, imports, exports, scans, settings), confirmed with
    the password (401 when wrong). Signing in fails from then on. This cannot be undone."""
    svc.delete_account(
        security=account,
        limits=c.login_limits,
        store=c.store,
        receipts=c.receipts,
        exports=c.exports,
        caller=caller(principal, request, client),
        password=body.password,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
