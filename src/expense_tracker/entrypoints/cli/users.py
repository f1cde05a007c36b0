"""`users list` and `users delete EMAIL`, and the helpers every data command shares:
open the wired container, find an account by e-mail, report domain errors without a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ...bootstrap import Container, build_container
from ...domain.errors import ExpenseError
from ...ports import Account, AccountAdmin
from .base import DataDir, app, settings_for

users_app = typer.Typer(no_args_is_help=True, help="Manage accounts (local identity provider).")
app.add_typer(users_app, name="users")


@contextmanager
def reported_errors() -> Iterator[None]:
    """Domain and file errors end the command with a short message, not a traceback."""
    try:
        yield
    except ExpenseError as exc:
        fail(exc.detail, exc)
    except OSError as exc:  # a file the command reads or writes
        fail(f"{exc.strerror or exc}: {exc.filename}", exc)


def fail(message: str, cause: BaseException | None = None) -> NoReturn:
    Console(stderr=True).print(f"[red]error:[/red] {escape(message)}", highlight=False)
    raise typer.Exit(1) from cause


@contextmanager
def open_container(data_dir: Path | None) -> Iterator[Container]:
    """The same wiring as the server's, closed at the end."""
    with reported_errors():
        container = build_container(settings_for(data_dir))
        try:
            yield container
        finally:
            container.close()


def admin(container: Container) -> AccountAdmin:
    if container.accounts is None:
        raise ExpenseError("This backend manages accounts elsewhere (e.g. in Cognito)")
    return container.accounts


def account_of(container: Container, email: str) -> Account:
    """The account with this e-mail (NotFound otherwise)."""
    return admin(container).find_account(email)


@users_app.command("list")
def list_users(data_dir: DataDir = None) -> None:
    """List every account: e-mail, user id and when it was created."""
    with open_container(data_dir) as container:
        accounts = admin(container).list_accounts()
    table = Table("E-mail", "User id", "Created (UTC)")
    for account in accounts:
        table.add_row(account.email, account.user_id, account.created_at.isoformat())
    console = Console()
    console.print(table)
    console.print(f"{len(accounts)} account(s)")


def delete_user_and_data(container: Container, account: Account) -> int:
    """Expenses, idempotency records and profile, then the account, then receipt files.
    Data goes before the account so a failure can be retried by e-mail; a second sweep after
    the account is gone catches anything a request signed in a moment ago still wrote."""
    receipts = container.store.delete_user(account.user_id)
    admin(container).delete_account(account.user_id)
    receipts += container.store.delete_user(account.user_id)
    for receipt in receipts:
        container.receipts.delete(receipt.key)
    return len(receipts)


@users_app.command("delete")
def delete_user(
    email: Annotated[str, typer.Argument(help="The account's e-mail")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation")] = False,
    data_dir: DataDir = None,
) -> None:
    """Delete an account with all its expenses and receipt files. This cannot be undone."""
    with open_container(data_dir) as container:
        account = account_of(container, email)
        if not yes:
            typer.confirm(
                f"Delete {account.email} and all their expenses and receipts?", abort=True
            )
        files = delete_user_and_data(container, account)
    Console().print(f"Deleted {account.email} ({account.user_id}) and {files} receipt file(s).")
