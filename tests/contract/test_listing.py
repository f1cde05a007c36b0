"""Listing: order, keyset pages, filters, iterate."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from expense_tracker.domain.expense import Expense, ExpenseFilter, Position
from expense_tracker.ports import ExpenseStore

from .factories import ids, make_expense, new_user

DAY = date(2026, 11, 1)


def _walk(store: ExpenseStore, user: str, filters: ExpenseFilter, limit: int) -> list[str]:
    """Every page, following `next` until it is None."""
    seen: list[str] = []
    after: Position | None = None
    while True:
        page = store.list_page(user, filters, limit, after)
        assert len(page.items) <= limit
        seen += ids(page.items)
        if page.next is None:
            return seen
        assert page.items, "a page with a next position must not be empty"
        after = page.next


def _add_days(store: ExpenseStore, user: str, count: int) -> list[Expense]:
    return [store.add(make_expense(user, day=DAY + timedelta(days=i))) for i in range(count)]


def test_newest_date_comes_first(store: ExpenseStore) -> None:
    user = new_user()
    old, new, middle = (
        store.add(make_expense(user, day=DAY)),
        store.add(make_expense(user, day=DAY + timedelta(days=9))),
        store.add(make_expense(user, day=DAY + timedelta(days=3))),
    )

    page = store.list_page(user, ExpenseFilter(), 10, None)

    assert ids(page.items) == [new.id, middle.id, old.id]
    assert page.next is None


def test_same_date_is_ordered_by_id_descending(store: ExpenseStore) -> None:
    user = new_user()
    for suffix in ("B", "A", "C"):
        store.add(make_expense(user, expense_id=f"01JDX3000000000000000000{suffix}0"))

    page = store.list_page(user, ExpenseFilter(), 10, None)

    assert [e.id[-2] for e in page.items] == ["C", "B", "A"]


def test_list_shows_only_my_expenses(store: ExpenseStore) -> None:
    mine, theirs = new_user(), new_user()
    kept = store.add(make_expense(mine))
    store.add(make_expense(theirs))

    assert ids(store.list_page(mine, ExpenseFilter(), 10, None).items) == [kept.id]


def test_empty_list_has_no_next(store: ExpenseStore) -> None:
    page = store.list_page(new_user(), ExpenseFilter(), 10, None)

    assert (page.items, page.next) == ([], None)


def test_exactly_full_page_has_no_next(store: ExpenseStore) -> None:
    user = new_user()
    _add_days(store, user, 3)

    assert store.list_page(user, ExpenseFilter(), 3, None).next is None


@pytest.mark.parametrize("limit", [1, 2, 5, 50])
def test_pages_return_every_item_once_in_order(store: ExpenseStore, limit: int) -> None:
    user = new_user()
    added = _add_days(store, user, 4)
    added += [store.add(make_expense(user, day=DAY + timedelta(days=2))) for _ in range(4)]
    expected = ids(sorted(added, key=lambda e: (e.date, e.id), reverse=True))

    assert _walk(store, user, ExpenseFilter(), limit) == expected


def test_paging_is_stable_when_items_are_added_between_pages(store: ExpenseStore) -> None:
    user = new_user()
    before = _add_days(store, user, 6)
    page = store.list_page(user, ExpenseFilter(), 2, None)
    newer = store.add(make_expense(user, day=DAY + timedelta(days=30)))
    older = store.add(make_expense(user, day=DAY - timedelta(days=30)))
    assert page.next is not None

    rest = _walk_from(store, user, page.next)
    seen = ids(page.items) + rest

    assert sorted(seen) == sorted(ids(before) + [older.id])
    assert len(seen) == len(set(seen))
    assert newer.id not in seen


def _walk_from(store: ExpenseStore, user: str, after: Position) -> list[str]:
    seen: list[str] = []
    position: Position | None = after
    while position is not None:
        page = store.list_page(user, ExpenseFilter(), 2, position)
        seen += ids(page.items)
        position = page.next
    return seen


def test_date_range_is_inclusive(store: ExpenseStore) -> None:
    user = new_user()
    added = _add_days(store, user, 5)
    window = ExpenseFilter(date_from=DAY + timedelta(days=1), date_to=DAY + timedelta(days=3))

    assert _walk(store, user, window, 1) == ids(added[3:0:-1])


def test_open_ended_date_ranges(store: ExpenseStore) -> None:
    user = new_user()
    added = _add_days(store, user, 4)
    cut = DAY + timedelta(days=2)

    assert _walk(store, user, ExpenseFilter(date_from=cut), 10) == ids(added[:1:-1])
    assert _walk(store, user, ExpenseFilter(date_to=cut), 10) == ids(added[2::-1])


@pytest.mark.parametrize("asked", ["food", "FOOD", "Food"])
def test_category_filter_ignores_case(store: ExpenseStore, asked: str) -> None:
    user = new_user()
    food = store.add(make_expense(user, category="Food"))
    store.add(make_expense(user, category="Seafood"))
    store.add(make_expense(user, category="Travel"))

    assert _walk(store, user, ExpenseFilter(category=asked), 10) == [food.id]


def test_category_filter_ignores_case_beyond_ascii(store: ExpenseStore) -> None:
    user = new_user()
    straße = store.add(make_expense(user, category="Straße"))
    éte = store.add(make_expense(user, category="Été"))

    assert _walk(store, user, ExpenseFilter(category="STRASSE"), 10) == [straße.id]
    assert _walk(store, user, ExpenseFilter(category="été"), 10) == [éte.id]


def test_text_filter_searches_description_and_category(store: ExpenseStore) -> None:
    user = new_user()
    by_description = store.add(make_expense(user, description="Lunch with the TEAM", day=DAY))
    by_category = store.add(
        make_expense(user, category="Teamwork", description="", day=DAY - timedelta(days=1))
    )
    store.add(make_expense(user, description="Dinner", category="Food"))

    assert _walk(store, user, ExpenseFilter(text="team"), 1) == [by_description.id, by_category.id]


@pytest.mark.parametrize("needle", ["%", "_", "50%", "a_b", "\\"])
def test_text_filter_treats_wildcards_as_plain_characters(store: ExpenseStore, needle: str) -> None:
    user = new_user()
    literal = store.add(make_expense(user, description="50% off a_b \\ deal"))
    store.add(make_expense(user, description="500 off axb deal"))

    assert _walk(store, user, ExpenseFilter(text=needle), 10) == [literal.id]


def test_text_filter_ignores_case_beyond_ascii(store: ExpenseStore) -> None:
    user = new_user()
    found = store.add(make_expense(user, description="Café in der STRASSE"))
    store.add(make_expense(user, description="Cafe"))

    assert _walk(store, user, ExpenseFilter(text="CAFÉ"), 10) == [found.id]
    assert _walk(store, user, ExpenseFilter(text="straße"), 10) == [found.id]


def test_filters_combine(store: ExpenseStore) -> None:
    user = new_user()
    hit = store.add(make_expense(user, category="Food", description="team lunch", day=DAY))
    store.add(make_expense(user, category="Food", description="solo lunch", day=DAY))
    store.add(make_expense(user, category="Travel", description="team trip", day=DAY))
    store.add(make_expense(user, category="Food", description="team", day=DAY + timedelta(days=40)))
    filters = ExpenseFilter(DAY, DAY + timedelta(days=30), "food", "TEAM")

    assert _walk(store, user, filters, 1) == [hit.id]


def test_money_filter_keeps_the_exact_amount_in_that_currency(store: ExpenseStore) -> None:
    user = new_user()
    hit = store.add(make_expense(user, amount="12.50", currency="EUR", day=DAY))
    store.add(make_expense(user, amount="12.51", currency="EUR", day=DAY))
    store.add(make_expense(user, amount="12.50", currency="USD", day=DAY))
    store.add(make_expense(user, amount="1250", currency="JPY", day=DAY))
    later = store.add(make_expense(user, amount="12.5", currency="EUR", day=DAY + timedelta(3)))
    money = ExpenseFilter(money=(Decimal("12.50"), "EUR"))

    assert _walk(store, user, money, 1) == [later.id, hit.id]
    near = ExpenseFilter(DAY - timedelta(1), DAY + timedelta(1), money=(Decimal("12.5"), "EUR"))
    assert ids(list(store.iterate(user, near))) == [hit.id]
    totals = store.day_totals(user, money)
    assert sum(t.count for t in totals) == 2


def test_filtered_pages_return_every_match_once(store: ExpenseStore) -> None:
    user = new_user()
    matches = [
        store.add(make_expense(user, category="Food", day=DAY + timedelta(days=i % 3)))
        for i in range(7)
    ]
    for i in range(5):
        store.add(make_expense(user, category="Travel", day=DAY + timedelta(days=i)))
    expected = ids(sorted(matches, key=lambda e: (e.date, e.id), reverse=True))
    window = ExpenseFilter(date_from=DAY, date_to=DAY + timedelta(days=2), category="Food")

    assert _walk(store, user, window, 2) == expected


def test_iterate_yields_every_match_newest_first(store: ExpenseStore) -> None:
    user = new_user()
    expenses = [
        make_expense(user, day=DAY + timedelta(days=i % 40), category=("Food", "Travel")[i % 2])
        for i in range(1_203)
    ]
    store.add_many(expenses)
    store.add(make_expense(new_user()))
    food = [e for e in expenses if e.category == "Food"]

    everything = list(store.iterate(user, ExpenseFilter()))
    only_food = list(store.iterate(user, ExpenseFilter(category="food")))

    assert ids(everything) == ids(sorted(expenses, key=lambda e: (e.date, e.id), reverse=True))
    assert ids(only_food) == ids(sorted(food, key=lambda e: (e.date, e.id), reverse=True))
    assert everything[0] == max(expenses, key=lambda e: (e.date, e.id))
