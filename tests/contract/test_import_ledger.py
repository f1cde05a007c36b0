"""The import ledger and the rule store: the same contract on memory, SQLite and DynamoDB."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from ulid import ULID

from expense_tracker.adapters.memory import MemoryExpenseStore
from expense_tracker.adapters.memory_imports import MemoryImportLedger, MemoryRuleStore
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.imports import SqliteImportLedger, SqliteRuleStore
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore
from expense_tracker.domain.errors import NotFound, PreconditionFailed
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.domain.imports import Rule
from expense_tracker.ports import ExpenseStore
from expense_tracker.ports.imports import ImportLedger, KeyedExpense, RuleStore

from .factories import make_expense, new_user


@dataclass
class Imports:
    store: ExpenseStore
    ledger: ImportLedger
    rules: RuleStore


@pytest.fixture(params=["memory", "sqlite", pytest.param("dynamodb", marks=pytest.mark.aws)])
def imports(request: pytest.FixtureRequest) -> Iterator[Imports]:
    if request.param == "memory":
        store = MemoryExpenseStore()
        yield Imports(store, MemoryImportLedger(store), MemoryRuleStore())
    elif request.param == "sqlite":
        db = Database(request.getfixturevalue("tmp_path") / "imports.sqlite3")
        yield Imports(SqliteExpenseStore(db), SqliteImportLedger(db), SqliteRuleStore(db))
        db.close()
    else:
        from expense_tracker.adapters.aws.dynamodb_imports import DynamoImportLedger
        from expense_tracker.adapters.aws.dynamodb_rules import DynamoRuleStore
        from expense_tracker.adapters.aws.dynamodb_store import DynamoExpenseStore

        client = request.getfixturevalue("dynamodb_client")
        table = request.getfixturevalue("dynamodb_table")
        yield Imports(
            DynamoExpenseStore(client, table),
            DynamoImportLedger(client, table),
            DynamoRuleStore(client, table),
        )


def rows(user: str, count: int, prefix: str = "k") -> list[KeyedExpense]:
    return [
        KeyedExpense(f"{prefix}{i}", make_expense(user, amount=f"{i + 1}.00")) for i in range(count)
    ]


def stored(imports: Imports, user: str) -> list[str]:
    return sorted(
        e.description + e.amount_text for e in imports.store.iterate(user, ExpenseFilter())
    )


def test_a_batch_stores_every_new_row_and_its_totals(imports: Imports) -> None:
    user = new_user()
    result = imports.ledger.add_batch(user, "job1", rows(user, 60))
    assert (result.added, result.duplicates) == (60, 0)
    assert len(stored(imports, user)) == 60
    assert imports.store.summary(user, None, None).totals[0].count == 60


def test_imported_rows_count_in_the_daily_totals_and_leave_them_when_discarded(
    imports: Imports,
) -> None:
    user = new_user()
    imports.ledger.add_batch(user, "job1", rows(user, 4))  # 1.00 + 2.00 + 3.00 + 4.00
    days = imports.store.day_totals(user, ExpenseFilter())
    assert [(d.currency, d.minor, d.count) for d in days] == [("EUR", 1000, 4)]
    imports.ledger.discard(user, "job1")
    assert imports.store.day_totals(user, ExpenseFilter()) == []


def test_keys_of_another_job_are_duplicates_and_add_nothing(imports: Imports) -> None:
    user = new_user()
    imports.ledger.add_batch(user, "job1", rows(user, 3))
    again = imports.ledger.add_batch(user, "job2", rows(user, 5))
    assert (again.added, again.duplicates) == (2, 3)
    assert len(stored(imports, user)) == 5


def test_a_rerun_of_the_same_job_counts_its_rows_as_added_without_adding_them(
    imports: Imports,
) -> None:
    user = new_user()
    imports.ledger.add_batch(user, "job1", rows(user, 4))
    rerun = imports.ledger.add_batch(user, "job1", rows(user, 4))
    assert (rerun.added, rerun.duplicates) == (4, 0)
    assert len(stored(imports, user)) == 4


def test_an_expense_id_the_user_already_has_is_a_duplicate(imports: Imports) -> None:
    user = new_user()
    existing = imports.store.add(make_expense(user))
    row = KeyedExpense(
        "id-key", make_expense(user, expense_id=existing.id, amount="99.00"), id_from_file=True
    )
    result = imports.ledger.add_batch(user, "job1", [row, *rows(user, 2)])
    assert (result.added, result.duplicates) == (2, 1)
    assert imports.store.get(user, existing.id) == existing


def test_discard_removes_the_jobs_rows_and_keys_only(imports: Imports) -> None:
    user = new_user()
    imports.ledger.add_batch(user, "keep", rows(user, 2, "a"))
    imports.ledger.add_batch(user, "fail", rows(user, 70, "b"))
    assert imports.ledger.discard(user, "fail") == 70
    assert len(stored(imports, user)) == 2
    assert imports.store.summary(user, None, None).totals[0].count == 2
    again = imports.ledger.add_batch(user, "retry", rows(user, 3, "b"))
    assert (again.added, again.duplicates) == (3, 0)


def test_keys_are_per_user(imports: Imports) -> None:
    one, two = new_user(), new_user()
    imports.ledger.add_batch(one, "job1", rows(one, 2))
    result = imports.ledger.add_batch(two, "job2", rows(two, 2))
    assert (result.added, result.duplicates) == (2, 0)


def make_rule(user: str, contains: str = "tesco", category: str = "Groceries") -> Rule:
    return Rule(str(ULID()), user, contains, category)


def test_rules_list_in_creation_order_a_page_at_a_time(imports: Imports) -> None:
    user = new_user()
    made = [imports.rules.add(make_rule(user, f"shop{i}")) for i in range(5)]
    first = imports.rules.list_page(user, 2, None)
    second = imports.rules.list_page(user, 2, first.next)
    last = imports.rules.list_page(user, 2, second.next)
    assert [r.id for r in first.items + second.items + last.items] == [r.id for r in made]
    assert last.next is None
    assert imports.rules.all(user) == made


def test_rule_changes_need_the_current_version(imports: Imports) -> None:
    user = new_user()
    rule = imports.rules.add(make_rule(user))
    changed = imports.rules.replace(replace(rule, category="Food", version=2), expected_version=1)
    assert imports.rules.get(user, rule.id) == changed
    with pytest.raises(PreconditionFailed):
        imports.rules.replace(replace(rule, category="X", version=2), expected_version=1)


def test_other_users_rule_is_not_found(imports: Imports) -> None:
    user, other = new_user(), new_user()
    rule = imports.rules.add(make_rule(user))
    with pytest.raises(NotFound):
        imports.rules.get(other, rule.id)
    with pytest.raises(NotFound):
        imports.rules.delete(other, rule.id)
    with pytest.raises(NotFound):
        imports.rules.replace(replace(rule, user_id=other, version=2), expected_version=1)
    assert imports.rules.all(other) == []


def test_deleted_rule_is_gone(imports: Imports) -> None:
    user = new_user()
    rule = imports.rules.add(make_rule(user))
    imports.rules.delete(user, rule.id)
    with pytest.raises(NotFound):
        imports.rules.get(user, rule.id)
    with pytest.raises(NotFound):
        imports.rules.delete(user, rule.id)
