"""The account page's use cases: change the password, sign out everywhere, delete the account
with everything it holds. A wrong password here counts as a failed sign-in (the same limits),
so these routes are no faster way to guess it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..domain.credentials import check_password_against
from ..domain.errors import FieldError, Invalid, Unauthorized
from ..ports import AccountSecurity, ExpenseStore, Principal, ReceiptStore
from ..ports.exports import ExportFiles
from .quota import user_prefix
from .ratelimit import LoginLimits


@dataclass(frozen=True)
class Caller:
    """Who asks: the signed-in user, their bearer token, and where from (for the limits)."""

    principal: Principal
    access_token: str
    client: str


def _with_limits(limits: LoginLimits, caller: Caller, attempt: Callable[[], None]) -> None:
    email = caller.principal.email
    limits.check(email, caller.client)
    try:
        attempt()
    except Unauthorized:
        limits.record_failure(email, caller.client)
        raise
    limits.succeeded(email, caller.client)


def change_password(
    *,
    security: AccountSecurity,
    limits: LoginLimits,
    caller: Caller,
    current: str,
    new: str,
) -> None:
    """422 naming `new_password` when it is weak (the sign-up rules) or the current one;
    401 when `current_password` is wrong. Every refresh token of the account is revoked."""
    try:
        check_password_against(new, caller.principal.email.casefold())
    except Invalid as weak:
        raise Invalid([FieldError("new_password", e.message) for e in weak.errors]) from weak
    if new == current:
        raise Invalid(FieldError("new_password", "must differ from the current password"))
    _with_limits(
        limits,
        caller,
        lambda: security.change_password(caller.principal, caller.access_token, current, new),
    )


def sign_out_everywhere(*, security: AccountSecurity, caller: Caller) -> None:
    security.sign_out_everywhere(caller.principal, caller.access_token)


def delete_account(
    *,
    security: AccountSecurity,
    limits: LoginLimits,
    store: ExpenseStore,
    receipts: ReceiptStore,
    exports: ExportFiles,
    caller: Caller,
    password: str,
) -> None:
    """With the password (401 when wrong): every expense, budget, recurring series, rule,
    alert, job and profile setting; every stored file (receipts, uploads, scan photos,
    statements, exports); then the account, so sign-in fails from now on. The data goes
    first, so a failure half-way leaves an account that can sign in and try again; a second
    pass after the account is gone catches what a request signed in a moment ago wrote."""
    user_id = caller.principal.user_id
    _with_limits(limits, caller, lambda: security.check_password(caller.principal, password))
    _delete_data(store, receipts, exports, user_id)
    security.delete_self(caller.principal, caller.access_token)
    _delete_data(store, receipts, exports, user_id)


def _delete_data(
    store: ExpenseStore, receipts: ReceiptStore, exports: ExportFiles, user_id: str
) -> None:
    store.delete_user(user_id)
    for found in list(receipts.list_objects(user_prefix(user_id))):
        receipts.delete(found.key)
    exports.forget_user(user_id)
