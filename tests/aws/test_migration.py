"""`expense-tracker migrate`: a local data directory to a deployed stack (DynamoDB Local, moto's
S3 and Cognito) and back, interrupted in the middle and resumed, run twice without doubling,
ending with exports byte-identical to the first directory's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from expense_tracker.adapters.aws.cognito_accounts import CognitoAccountDirectory
from expense_tracker.adapters.aws.dynamodb_store import DynamoExpenseStore
from expense_tracker.adapters.aws.wiring import build_aws_container
from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.local.wiring import build_local_container
from expense_tracker.adapters.sqlite.plans import SqlitePlans
from expense_tracker.config import Settings
from expense_tracker.container import Container
from expense_tracker.domain.errors import StorageError
from expense_tracker.domain.expense import Expense, ExpenseFilter, Receipt
from expense_tracker.domain.profile import Profile, ProfileChanges
from expense_tracker.domain.receipts import receipt_key
from expense_tracker.entrypoints.cli import app
from expense_tracker.ports.plans import ALERT, ALERT_MARK, SETTINGS, PlanRecord
from expense_tracker.services import migration, migration_plans
from expense_tracker.services.budgets import budget_to_record, create_budget
from expense_tracker.services.migration_plans import PLAN_KINDS
from expense_tracker.services.recurring import create_series
from expense_tracker.services.rules import create_rule
from expense_tracker.services.transfer import export_csv, export_json
from tests.contract.factories import make_expense
from tests.support.api import PASSWORD, unique_email
from tests.support.aws_stack import AwsStack, new_stack
from tests.support.receipt_files import image_bytes

pytestmark = pytest.mark.aws
RUNNER = CliRunner()
EXPENSES = 7
OCCURRENCES = 3  # the monthly series from 2026-01-05 to the seed clock's 2026-03-15


@dataclass(frozen=True)
class Seeded:
    email: str
    user_id: str
    receipts: dict[str, bytes]  # expense id -> bytes


@contextmanager
def local(data_dir: Path) -> Iterator[Container]:
    container = build_local_container(Settings(data_dir=data_dir))
    try:
        yield container
    finally:
        container.close()


def env_of(stack: AwsStack) -> dict[str, str]:
    settings = stack.settings()
    values = settings.model_dump(exclude_defaults=True, mode="json")
    env = {f"EXPENSE_TRACKER_{k.upper()}": str(v) for k, v in values.items()}
    assert settings.secret_key is not None
    return {**env, "EXPENSE_TRACKER_SECRET_KEY": settings.secret_key.get_secret_value()}


def run(stack: AwsStack, *args: str) -> Result:
    return RUNNER.invoke(app, ["migrate", *args], env=env_of(stack))


def seed_plans(c: Container, user_id: str) -> None:
    """Two budgets (one changed since: version 2), a recurring series with occurrences and a
    watermark, an alert with its mark and the e-mail setting, two import rules."""
    created = create_budget(
        plans=c.plans, profiles=c.profiles, user_id=user_id,
        raw={"amount": "300.00", "currency": "EUR", "period": "month", "category": "Food"},
    )  # fmt: skip
    changed = budget_to_record(created)
    c.plans.replace(replace(changed, body={**changed.body, "amount": "350.00"}, version=2), 1)
    create_budget(
        plans=c.plans, profiles=c.profiles, user_id=user_id,
        raw={"amount": "90000", "currency": "JPY", "period": "year"},
    )  # fmt: skip
    clock = FixedClock(datetime(2026, 3, 15, 9, tzinfo=UTC))
    create_series(
        plans=c.plans, store=c.store, profiles=c.profiles, clock=clock, user_id=user_id,
        raw={"amount": "9.99", "currency": "EUR", "category": "Bills", "description": "phone",
             "rule": "FREQ=MONTHLY", "start": "2026-01-05"},
    )  # fmt: skip
    c.plans.create(
        [
            PlanRecord(user_id, ALERT, "01ALERT", {"budget_id": created.id, "emailed": True}),
            PlanRecord(user_id, ALERT_MARK, f"{created.id}-2026-03", {"alert_id": "01ALERT"}),
            PlanRecord(user_id, SETTINGS, "alerts", {"emails": False}),
        ]
    )
    create_rule(rules=c.rules, user_id=user_id, contains="TESCO", category="Groceries")
    rule = create_rule(rules=c.rules, user_id=user_id, contains="uber", category="Transport")
    c.rules.replace(replace(rule, category="Taxi", version=2), 1)


def plans_of(c: Container, user_id: str) -> list[tuple[str, str, str, int]]:
    """Every plan record and rule, without the owner (user ids differ between places)."""
    found = [
        (r.kind, r.id, json.dumps(r.body, sort_keys=True), r.version)
        for kind in PLAN_KINDS
        for r in c.plans.records(user_id, kind, 500)
    ]
    rules = [("rule", r.id, f"{r.contains}|{r.category}", r.version) for r in c.rules.all(user_id)]
    return found + rules


def seed(data_dir: Path) -> Seeded:
    """Expenses with later versions, exact timestamps, several currencies, two receipts; the
    settings, budgets, a recurring series, an alert and rules."""
    email = unique_email("migrant")
    with local(data_dir) as c:
        user_id = c.identity.signup(email, PASSWORD).user_id
        c.profiles.update_profile(user_id, ProfileChanges("JPY", "CHF", "de-CH"))
        seed_plans(c, user_id)
        start = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
        expenses: list[Expense] = []
        receipts: dict[str, bytes] = {}
        for n in range(EXPENSES):
            created = start + timedelta(days=n, microseconds=n)
            expense = make_expense(
                user_id,
                amount=f"{n + 1}000" if n % 3 == 0 else f"{n + 1}.25",
                currency=("JPY", "EUR", "USD")[n % 3],
                description=f"=item {n} ünïcode",
                day=date(2026, 1, 1) + timedelta(days=n // 2),
                created_at=created,
            )
            if n in (1, 4):
                data = image_bytes("PNG")
                key = receipt_key(user_id, expense.id, f"r{n}")
                c.receipts.write(key, data, "image/png")
                receipts[expense.id] = data
                expense = Expense(
                    **{
                        **expense.__dict__,
                        "receipt": Receipt("image/png", len(data), created, key),
                        "version": 3,
                        "updated_at": created + timedelta(hours=1),
                    }
                )
            expenses.append(expense)
        c.store.add_many(expenses)
    return Seeded(email, user_id, receipts)


def exported(c: Container, user_id: str) -> tuple[str, str]:
    csv = b"".join(export_csv(store=c.store, user_id=user_id, filters=ExpenseFilter())).decode()
    js = b"".join(export_json(store=c.store, user_id=user_id, filters=ExpenseFilter())).decode()
    return csv, js


@pytest.fixture
def stack(aws_stack: AwsStack) -> AwsStack:
    """A user pool and bucket of its own: `to-local` moves every account of the pool."""
    return new_stack(aws_stack.moto_endpoint, aws_stack.dynamodb_endpoint, aws_stack.table)


def crash_after_first_page(monkeypatch: pytest.MonkeyPatch) -> None:
    original = DynamoExpenseStore.add_many
    calls = {"n": 0}

    def flaky(self: DynamoExpenseStore, expenses: list[Expense]) -> None:
        calls["n"] += 1
        if calls["n"] > 1:
            raise StorageError("simulated crash in the middle of the migration")
        original(self, expenses)

    monkeypatch.setattr(DynamoExpenseStore, "add_many", flaky)


def crash_in_the_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second plan record written locally fails: the kind is left half done."""
    original = SqlitePlans.create
    calls = {"n": 0}

    def flaky(self: SqlitePlans, records: list[PlanRecord]) -> bool:
        calls["n"] += 1
        if calls["n"] > 1:
            raise StorageError("simulated crash while copying the plans")
        return original(self, records)

    monkeypatch.setattr(SqlitePlans, "create", flaky)


def test_round_trip_local_aws_local_gives_byte_identical_exports(
    stack: AwsStack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, back = tmp_path / "first", tmp_path / "back"
    seeded = seed(first)
    monkeypatch.setattr(migration, "PAGE", 3)

    with monkeypatch.context() as crash:
        crash_after_first_page(crash)
        interrupted = run(stack, "to-aws", "--data-dir", str(first))
    assert interrupted.exit_code == 1
    assert "simulated crash" in interrupted.output
    assert (first / "migrate-to-aws.json").exists()

    resumed = run(stack, "to-aws", "--data-dir", str(first))
    assert resumed.exit_code == 0, resumed.output
    assert "must reset its password" in resumed.output
    assert not (first / "migrate-to-aws.json").exists()
    again = run(stack, "to-aws", "--data-dir", str(first))
    assert again.exit_code == 0, again.output
    said = " ".join(again.output.split())  # as the console wrapped it
    assert "existing account): profile 1, expenses 0, plans 0, rules 0" in said

    remote_id = CognitoAccountDirectory(stack.cognito, stack.pool.pool_id).ensure(seeded.email)
    assert not remote_id.created
    status = stack.cognito.admin_get_user(UserPoolId=stack.pool.pool_id, Username=seeded.email)
    assert status["UserStatus"] == "RESET_REQUIRED"
    aws = build_aws_container(stack.settings())
    remote = list(aws.store.iterate(remote_id.user_id, ExpenseFilter()))
    assert len(remote) == EXPENSES + OCCURRENCES  # nothing doubled by crash, resume, rerun
    for expense in remote:
        if expense.receipt is not None:
            assert aws.receipts.read(expense.receipt.key) == seeded.receipts[expense.id]
    assert aws.profiles.profile(remote_id.user_id) == Profile("JPY", "CHF", "de-CH")
    with local(first) as before:
        assert plans_of(aws, remote_id.user_id) == plans_of(before, seeded.user_id)

    monkeypatch.setattr(migration_plans, "PAGE", 1)
    with monkeypatch.context() as crash:
        crash_in_the_plans(crash)
        broken = run(stack, "to-local", "--data-dir", str(back))
    assert broken.exit_code == 1 and "simulated crash" in broken.output
    home = run(stack, "to-local", "--data-dir", str(back))
    assert home.exit_code == 0, home.output
    assert "users set-password" in home.output
    assert run(stack, "to-local", "--data-dir", str(back)).exit_code == 0

    with local(first) as before, local(back) as after:
        returned = after.identity.find_account(seeded.email)  # type: ignore[attr-defined]
        assert exported(after, returned.user_id) == exported(before, seeded.user_id)
        assert after.profiles.profile(returned.user_id) == Profile("JPY", "CHF", "de-CH")
        assert plans_of(after, returned.user_id) == plans_of(before, seeded.user_id)
        assert len(plans_of(after, returned.user_id)) == 8
        for expense in after.store.iterate(returned.user_id, ExpenseFilter()):
            if expense.receipt is not None:
                assert after.receipts.read(expense.receipt.key) == seeded.receipts[expense.id]
                assert expense.receipt.key.startswith(f"users/{returned.user_id}/")


def test_a_newer_version_replaces_an_older_copy_on_the_next_run(
    stack: AwsStack, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    seeded = seed(data_dir)
    assert run(stack, "to-aws", "--data-dir", str(data_dir), "--user", seeded.email).exit_code == 0
    with local(data_dir) as c:
        some = next(iter(c.store.iterate(seeded.user_id, ExpenseFilter())))
        changed = Expense(
            **{**some.__dict__, "description": "changed", "version": some.version + 1}
        )
        c.store.replace(changed, some.version)
    rerun = run(stack, "to-aws", "--data-dir", str(data_dir), "--user", seeded.email)
    assert "expenses 1" in rerun.output
    remote_id = CognitoAccountDirectory(stack.cognito, stack.pool.pool_id).ensure(seeded.email)
    aws = build_aws_container(stack.settings())
    assert aws.store.get(remote_id.user_id, some.id).description == "changed"


def test_set_password_lets_a_moved_account_sign_in(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with local(data_dir) as c:
        c.identity.signup("moved@example.com", "a random password nobody knows 1")
    result = RUNNER.invoke(
        app,
        ["users", "set-password", "moved@example.com", "--data-dir", str(data_dir)],
        input="a new password for me 42\na new password for me 42\n",
    )
    assert result.exit_code == 0, result.output
    with local(data_dir) as c:
        assert c.identity.login("moved@example.com", "a new password for me 42").access_token
