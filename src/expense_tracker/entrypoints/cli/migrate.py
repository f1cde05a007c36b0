"""`migrate to-aws` / `migrate to-local`: move every account's data between a local data
directory and a deployed stack (its settings from EXPENSE_TRACKER_* variables), and `users
set-password` for accounts that arrive locally without a usable password."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from ...config import Settings
from ...container import Container
from ...services.migration import AccountResult, Place, migrate
from .base import DataDir, app
from .users import fail, reported_errors, users_app

migrate_app = typer.Typer(
    no_args_is_help=True,
    help="Move all data between a local data directory and a deployed AWS stack (both ways).",
)
app.add_typer(migrate_app, name="migrate")
OnlyUser = Annotated[str | None, typer.Option("--user", help="Only this account (e-mail)")]


class JsonCheckpoint:
    """The migration's progress in a small JSON file, rewritten atomically at each step."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._state: dict[str, Any] = {"done": {}, "positions": {}}
        if path.exists():
            self._state = json.loads(path.read_text("utf-8"))

    def is_done(self, email: str, kind: str) -> bool:
        return kind in self._state["done"].get(email, [])

    def mark_done(self, email: str, kind: str) -> None:
        self._state["done"].setdefault(email, []).append(kind)
        self._state["positions"].get(email, {}).pop(kind, None)
        self._save()

    def position(self, email: str, kind: str) -> str | None:
        found = self._state["positions"].get(email, {}).get(kind)
        return found if isinstance(found, str) else None

    def save_position(self, email: str, kind: str, position: str) -> None:
        self._state["positions"].setdefault(email, {})[kind] = position
        self._save()

    def _save(self) -> None:
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(self._state), "utf-8")
        os.replace(partial, self.path)

    def finish(self) -> None:
        """All done: the next run checks everything again (and finds nothing to add)."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def local_settings(data_dir: Path | None) -> Settings:
    """The local side, whatever EXPENSE_TRACKER_BACKEND says (it may name the AWS side)."""
    settings = Settings(backend="local")
    return settings.model_copy(update={"data_dir": data_dir}) if data_dir else settings


@contextmanager
def local_place(data_dir: Path | None) -> Iterator[Place]:
    from ...adapters.local.account_directory import LocalAccountDirectory
    from ...adapters.local.identity import LocalIdentityProvider
    from ...adapters.local.wiring import build_local_container

    container = build_local_container(local_settings(data_dir))
    try:
        assert isinstance(container.identity, LocalIdentityProvider)
        yield _place(container, LocalAccountDirectory(container.identity))
    finally:
        container.close()


@contextmanager
def aws_place() -> Iterator[Place]:
    settings = Settings(backend="aws")
    missing = settings.missing_for_aws()
    if missing:
        names = ", ".join(f"EXPENSE_TRACKER_{m.upper()}" for m in missing)
        fail(f"The deployed stack's settings are missing: {names}")
    from ...adapters.aws.cognito_accounts import CognitoAccountDirectory
    from ...adapters.aws.wiring import AwsClients, build_aws_container

    clients = AwsClients.create(settings)
    container = build_aws_container(settings, clients)
    try:
        yield _place(container, CognitoAccountDirectory(clients.cognito, settings.user_pool_id))
    finally:
        container.close()


def _place(container: Container, accounts: Any) -> Place:
    return Place(
        container.store,
        container.receipts,
        container.profiles,
        accounts,
        container.plans,
        container.rules,
    )


def _run(source: Place, target: Place, checkpoint: JsonCheckpoint, only: str | None) -> None:
    console = Console()

    def said(result: AccountResult) -> None:
        copied = ", ".join(f"{kind} {count}" for kind, count in result.copied.items())
        state = "new account" if result.created else "existing account"
        console.print(f"{escape(result.email)} ({state}): {copied or 'already done'}")

    with reported_errors():
        results = migrate(source, target, checkpoint, only=only, on_account=said)
    checkpoint.finish()
    console.print(f"Migrated {len(results)} account(s); a second run adds nothing.")
    # Every time: an account made by an earlier, interrupted run needs it just as much.
    console.print(f"[yellow]Note:[/yellow] {escape(target.accounts.password_note)}")


@migrate_app.command("to-aws")
def to_aws(data_dir: DataDir = None, user: OnlyUser = None) -> None:
    """Copy the local data directory's accounts, settings, expenses, receipts, budgets,
    recurring series and rules to the deployed stack.
    Interrupted? Run it again: it resumes, and nothing is copied twice."""
    with local_place(data_dir) as source, aws_place() as target:
        checkpoint = JsonCheckpoint(_state_file(data_dir, "migrate-to-aws.json"))
        _run(source, target, checkpoint, user)


@migrate_app.command("to-local")
def to_local(data_dir: DataDir = None, user: OnlyUser = None) -> None:
    """Copy the deployed stack's accounts, settings, expenses, receipts, budgets, recurring
    series and rules into the local data directory.
    Interrupted? Run it again: it resumes, and nothing is copied twice."""
    with aws_place() as source, local_place(data_dir) as target:
        checkpoint = JsonCheckpoint(_state_file(data_dir, "migrate-to-local.json"))
        _run(source, target, checkpoint, user)


def _state_file(data_dir: Path | None, name: str) -> Path:
    return local_settings(data_dir).data_dir / name


@users_app.command("set-password")
def set_password(
    email: str,
    data_dir: DataDir = None,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Set an account's password (for accounts a migration brought here); its sessions end."""
    from ...adapters.local.identity import LocalIdentityProvider
    from ...adapters.local.wiring import build_local_container

    container = build_local_container(local_settings(data_dir))
    try:
        assert isinstance(container.identity, LocalIdentityProvider)
        with reported_errors():
            container.identity.set_password(email, password)
    finally:
        container.close()
    Console().print(f"Password set for {escape(email)}; its sessions were signed out.")
