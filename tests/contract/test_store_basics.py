"""Add, get, replace, delete, receipts and exact amounts, on every store."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest

from expense_tracker.domain.errors import Conflict, NotFound, PreconditionFailed
from expense_tracker.ports import ExpenseStore

from .factories import NOW, make_expense, make_receipt, new_user


def test_added_expense_is_returned_unchanged(store: ExpenseStore) -> None:
    expense = make_expense(new_user(), description="Lunch with the team")

    assert store.add(expense) == expense
    assert store.get(expense.user_id, expense.id) == expense


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("0.01", "USD"), ("1500", "JPY"), ("1.234", "KWD"), ("1000000000000.00", "EUR")],
)
def test_amount_comes_back_exact_in_its_currency(
    store: ExpenseStore, amount: str, currency: str
) -> None:
    expense = store.add(make_expense(new_user(), amount=amount, currency=currency))

    found = store.get(expense.user_id, expense.id)

    assert found.amount == Decimal(amount)
    assert found.amount_text == amount
    assert found.currency == currency


def test_missing_expense_is_not_found(store: ExpenseStore) -> None:
    with pytest.raises(NotFound):
        store.get(new_user(), "01JDX3NOSUCHEXPENSE0000000")


def test_other_users_expense_is_not_found(store: ExpenseStore) -> None:
    mine = store.add(make_expense(new_user()))
    intruder = new_user()

    with pytest.raises(NotFound):
        store.get(intruder, mine.id)
    with pytest.raises(NotFound):
        store.replace(dataclasses.replace(mine, user_id=intruder, version=2), expected_version=1)
    with pytest.raises(NotFound):
        store.delete(intruder, mine.id)
    assert store.get(mine.user_id, mine.id) == mine


def test_same_id_for_another_user_is_a_different_expense(store: ExpenseStore) -> None:
    first = store.add(make_expense(new_user(), expense_id="01JDX3SAMEID00000000000000"))
    second = store.add(
        make_expense(new_user(), expense_id=first.id, amount="99.00", category="Travel")
    )

    assert store.get(first.user_id, first.id) == first
    assert store.get(second.user_id, first.id) == second


def test_clashing_id_is_refused_not_overwritten(store: ExpenseStore) -> None:
    first = store.add(make_expense(new_user()))

    with pytest.raises(Conflict):
        store.add(make_expense(first.user_id, expense_id=first.id, amount="1.00"))
    assert store.get(first.user_id, first.id) == first


def test_replace_writes_the_new_version(store: ExpenseStore) -> None:
    current = store.add(make_expense(new_user()))
    changed = dataclasses.replace(
        current,
        amount=Decimal("3.20"),
        currency="USD",
        category="Transport",
        description="Bus",
        date=current.date - timedelta(days=3),
        updated_at=NOW + timedelta(minutes=5),
        version=2,
    )

    assert store.replace(changed, expected_version=1) == changed
    assert store.get(current.user_id, current.id) == changed


def test_stale_version_is_refused(store: ExpenseStore) -> None:
    current = store.add(make_expense(new_user()))
    store.replace(dataclasses.replace(current, description="first", version=2), 1)

    with pytest.raises(PreconditionFailed):
        store.replace(dataclasses.replace(current, description="second", version=2), 1)
    assert store.get(current.user_id, current.id).description == "first"


def test_replace_of_a_deleted_expense_is_not_found(store: ExpenseStore) -> None:
    current = store.add(make_expense(new_user()))
    store.delete(current.user_id, current.id)

    with pytest.raises(NotFound):
        store.replace(dataclasses.replace(current, version=2), expected_version=1)


def test_delete_returns_the_expense_and_removes_it(store: ExpenseStore) -> None:
    expense = store.add(make_expense(new_user(), receipt=make_receipt()))

    assert store.delete(expense.user_id, expense.id) == expense
    with pytest.raises(NotFound):
        store.get(expense.user_id, expense.id)
    with pytest.raises(NotFound):
        store.delete(expense.user_id, expense.id)


def test_receipt_is_stored_and_returned(store: ExpenseStore) -> None:
    expense = store.add(make_expense(new_user(), receipt=make_receipt("receipts/u/e1", 123)))

    found = store.get(expense.user_id, expense.id)

    assert found.receipt == make_receipt("receipts/u/e1", 123)


def test_receipt_can_be_attached_and_removed_by_replace(store: ExpenseStore) -> None:
    expense = store.add(make_expense(new_user()))
    attached = dataclasses.replace(expense, receipt=make_receipt(), version=2)
    store.replace(attached, expected_version=1)
    assert store.get(expense.user_id, expense.id).receipt == make_receipt()

    removed = dataclasses.replace(attached, receipt=None, version=3)
    store.replace(removed, expected_version=2)

    assert store.get(expense.user_id, expense.id).receipt is None


def test_text_comes_back_exactly(store: ExpenseStore) -> None:
    text = "Café crème — 'quoted' \"double\" %_\\ \n second line ☕"
    expense = store.add(make_expense(new_user(), category="Straße", description=text))

    found = store.get(expense.user_id, expense.id)

    assert (found.category, found.description) == ("Straße", text)
