"""The plans port (budgets, recurring series, alerts) behaves alike on every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from expense_tracker.domain.errors import NotFound, PreconditionFailed
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.domain.money import from_minor
from expense_tracker.ports.plans import PlanRecord

from .factories import make_expense, new_user
from .plans_backend import PlanBackend


def record(user: str, record_id: str, kind: str = "budget", **body: object) -> PlanRecord:
    return PlanRecord(user, kind, record_id, {"amount": "10.00", **body})


def test_created_records_read_back_with_their_body(plan_backend: PlanBackend) -> None:
    user = new_user()
    assert plan_backend.plans.create([record(user, "B1", category=None, nested={"a": [1]})])
    found = plan_backend.plans.get(user, "budget", "B1")
    assert found == PlanRecord(
        user, "budget", "B1", {"amount": "10.00", "category": None, "nested": {"a": [1]}}, 1
    )


def test_create_is_all_or_nothing_and_refuses_a_taken_id(plan_backend: PlanBackend) -> None:
    plans, user = plan_backend.plans, new_user()
    assert plans.create([record(user, "A")])
    assert not plans.create([record(user, "B"), record(user, "A", amount="99")])
    assert plans.get(user, "budget", "A").body["amount"] == "10.00"
    with pytest.raises(NotFound):
        plans.get(user, "budget", "B")


def test_the_same_id_in_another_kind_or_for_another_user_is_separate(
    plan_backend: PlanBackend,
) -> None:
    plans, user, other = plan_backend.plans, new_user(), new_user()
    assert plans.create([record(user, "X")])
    assert plans.create([record(user, "X", kind="alert")])
    assert plans.create([record(other, "X")])
    with pytest.raises(NotFound):
        plans.get(other, "alert", "X")


def test_records_are_listed_by_kind_in_id_order_after_a_cursor(plan_backend: PlanBackend) -> None:
    plans, user = plan_backend.plans, new_user()
    for record_id in ("C", "A", "B", "D"):
        plans.create([record(user, record_id)])
    plans.create([record(user, "Z", kind="alert"), record(new_user(), "E")])
    assert [r.id for r in plans.records(user, "budget", 10)] == ["A", "B", "C", "D"]
    assert [r.id for r in plans.records(user, "budget", 2)] == ["A", "B"]
    assert [r.id for r in plans.records(user, "budget", 2, after="B")] == ["C", "D"]
    assert plans.records(user, "budget", 5, after="D") == []


def test_replace_needs_the_stored_version(plan_backend: PlanBackend) -> None:
    plans, user = plan_backend.plans, new_user()
    plans.create([record(user, "R")])
    plans.replace(PlanRecord(user, "budget", "R", {"amount": "20.00"}, 2), expected_version=1)
    assert plans.get(user, "budget", "R").version == 2
    with pytest.raises(PreconditionFailed):
        plans.replace(PlanRecord(user, "budget", "R", {"amount": "1.00"}, 2), expected_version=1)
    assert plans.get(user, "budget", "R").body == {"amount": "20.00"}
    with pytest.raises(NotFound):
        plans.replace(PlanRecord(user, "budget", "nope", {}, 2), expected_version=1)


def test_delete_removes_only_the_users_record(plan_backend: PlanBackend) -> None:
    plans, user, other = plan_backend.plans, new_user(), new_user()
    plans.create([record(user, "D")])
    with pytest.raises(NotFound):
        plans.delete(other, "budget", "D")
    plans.delete(user, "budget", "D")
    with pytest.raises(NotFound):
        plans.delete(user, "budget", "D")


def test_owners_lists_users_with_records_of_a_kind(plan_backend: PlanBackend) -> None:
    plans = plan_backend.plans
    users = sorted(new_user() for _ in range(3))
    for user in users:
        plans.create([record(user, "S", kind="recurring-owners-test")])
    found: list[str] = []
    while page := plans.owners("recurring-owners-test", 2, found[-1] if found else None):
        found.extend(page)
    assert found == users


def test_recurring_id_is_kept_by_the_expense_store(plan_backend: PlanBackend) -> None:
    user, store = new_user(), plan_backend.store
    store.add(replace(make_expense(user, expense_id="SERIESR20261101"), recurring_id="SERIES"))
    by_hand = store.add(make_expense(user))
    assert store.get(user, "SERIESR20261101").recurring_id == "SERIES"
    assert store.get(user, by_hand.id).recurring_id is None
    listed = {e.id: e.recurring_id for e in store.iterate(user, ExpenseFilter())}
    assert listed == {"SERIESR20261101": "SERIES", by_hand.id: None}


def test_day_totals_sum_per_day_currency_and_category(plan_backend: PlanBackend) -> None:
    store, user = plan_backend.store, new_user()
    nov = date(2026, 11, 3)
    store.add(make_expense(user, amount="1.10", day=nov))
    store.add(make_expense(user, amount="2.20", day=nov))
    store.add(make_expense(user, amount="5.00", day=nov, currency="USD"))
    store.add(make_expense(user, amount="7.00", day=nov, category="Travel"))
    store.add(make_expense(user, amount="9.00", day=date(2026, 11, 30)))
    store.add(make_expense(user, amount="4.00", day=date(2026, 12, 1)))
    store.add(make_expense(new_user(), amount="3.00", day=nov))
    found = {
        (t.day, t.currency, t.category): (str(from_minor(t.minor, t.currency)), t.count)
        for t in store.day_totals(
            user, ExpenseFilter(date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))
        )
    }
    assert found == {
        (nov, "EUR", "Food"): ("3.30", 2),
        (nov, "USD", "Food"): ("5.00", 1),
        (nov, "EUR", "Travel"): ("7.00", 1),
        (date(2026, 11, 30), "EUR", "Food"): ("9.00", 1),
    }
