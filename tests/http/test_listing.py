"""GET /api/expenses: order, filters, limits and cursor pagination."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import User
from tests.support.checks import assert_problem


def listing(user: User, **params: Any) -> dict[str, Any]:
    response = user.client.get("/api/expenses", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(user: User, **params: Any) -> list[str]:
    return [item["id"] for item in listing(user, **params)["items"]]


def walk(user: User, **params: Any) -> list[str]:
    """Every id, page by page, following next_cursor."""
    seen: list[str] = []
    cursor = None
    while True:
        page = listing(user, **params, **({"cursor": cursor} if cursor else {}))
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_empty_list_has_no_items_and_no_cursor(user: User) -> None:
    assert listing(user) == {"items": [], "next_cursor": None}


def test_newest_date_comes_first_then_newest_id(user: User) -> None:
    old = user.add(date="2024-02-29")
    new = user.add(date="2026-01-01")
    mid_a = user.add(date="2025-06-15")
    mid_b = user.add(date="2025-06-15")
    assert ids(user) == [new["id"], mid_b["id"], mid_a["id"], old["id"]]


def test_date_range_is_inclusive(user: User) -> None:
    days = ["2026-01-31", "2026-02-01", "2026-02-15", "2026-02-28", "2026-03-01"]
    made = {day: user.add(date=day)["id"] for day in days}
    got = ids(user, **{"from": "2026-02-01", "to": "2026-02-28"})
    assert got == [made["2026-02-28"], made["2026-02-15"], made["2026-02-01"]]
    assert ids(user, **{"from": "2026-03-01"}) == [made["2026-03-01"]]
    assert ids(user, to="2026-01-31") == [made["2026-01-31"]]


def test_from_after_to_is_refused(user: User) -> None:
    response = user.client.get("/api/expenses", params={"from": "2026-02-02", "to": "2026-02-01"})
    assert_problem(response, 422, "from")


@pytest.mark.parametrize("bad", ["2026-02-30", "yesterday", "2026/02/01"])
def test_malformed_date_filter_is_refused(user: User, bad: str) -> None:
    assert_problem(user.client.get("/api/expenses", params={"from": bad}), 422, "from")


def test_category_filter_matches_exactly(user: User) -> None:
    food = user.add(category="Food")["id"]
    user.add(category="Fast Food")
    user.add(category="Travel")
    assert ids(user, category="Food") == [food]
    assert ids(user, category="  Food ") == [food]


def test_q_searches_description_and_category(user: User) -> None:
    in_description = user.add(category="Food", description="Pizza with Ada")["id"]
    in_category = user.add(category="Pizzeria", description="")["id"]
    user.add(category="Travel", description="Train")
    assert set(ids(user, q="pizz")) == {in_description, in_category}
    assert ids(user, q="ADA") == [in_description]
    assert ids(user, q="nothing like it") == []


def test_filters_combine(user: User) -> None:
    hit = user.add(category="Food", description="Lunch", date="2026-05-02")["id"]
    user.add(category="Food", description="Lunch", date="2026-04-30")
    user.add(category="Food", description="Dinner", date="2026-05-03")
    user.add(category="Travel", description="Lunch", date="2026-05-02")
    got = ids(user, category="Food", q="lunch", **{"from": "2026-05-01", "to": "2026-05-31"})
    assert got == [hit]


@pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "1.5"])
def test_limit_outside_1_to_200_is_refused(user: User, limit: str) -> None:
    assert_problem(user.client.get("/api/expenses", params={"limit": limit}), 422, "limit")


def test_limit_bounds_are_inclusive(user: User) -> None:
    for _ in range(3):
        user.add()
    assert len(ids(user, limit=1)) == 1
    assert len(ids(user, limit=200)) == 3


def test_default_page_is_50(user: User) -> None:
    body = "id,date,amount,currency,category,description\n" + "".join(
        f",2026-01-{1 + n % 28:02d},1.00,EUR,Food,n{n}\n" for n in range(51)
    )
    imported = user.client.post(
        "/api/expenses/import", content=body, headers={"Content-Type": "text/csv"}
    )
    assert imported.json()["imported"] == 51, imported.text
    page = listing(user)
    assert len(page["items"]) == 50
    assert page["next_cursor"] is not None


def test_cursor_pagination_returns_every_item_exactly_once(user: User) -> None:
    for n in range(11):
        user.add(date=f"2026-03-{1 + n % 4:02d}", description=f"n{n}")
    everything = ids(user, limit=200)
    assert len(everything) == 11
    assert walk(user, limit=3) == everything
    assert walk(user, limit=1) == everything


def test_pagination_is_stable_when_items_are_added_between_pages(user: User) -> None:
    original = [user.add(date=f"2026-03-{10 + n:02d}")["id"] for n in range(6)]
    first = listing(user, limit=2)
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    added = [user.add(date="2026-03-30")["id"], user.add(date="2026-03-12")["id"]]
    added.append(user.add(date="2026-03-01")["id"])
    while cursor:
        page = listing(user, limit=2, cursor=cursor)
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)), "an item came twice"
    assert set(original) <= set(seen), "an item was skipped"
    assert added[0] not in seen  # newer than the pages already read
    assert added[2] in seen  # older than the cursor, so still ahead


def test_cursor_follows_the_filters(user: User) -> None:
    for n in range(5):
        user.add(category="Food", description=f"f{n}")
        user.add(category="Travel", description=f"t{n}")
    food = walk(user, category="Food", limit=2)
    assert len(food) == 5
    assert set(food) == set(ids(user, category="Food"))


def test_tampered_cursor_is_refused(user: User) -> None:
    for _ in range(3):
        user.add()
    cursor = listing(user, limit=1)["next_cursor"]
    flipped = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    for bad in [flipped, "not-a-cursor", "", "%%%", cursor + "x" * 10, "e30"]:
        response = user.client.get("/api/expenses", params={"cursor": bad, "limit": 1})
        if bad == "":
            assert response.status_code == 200  # an empty cursor means "from the start"
            continue
        assert_problem(response, 422, "cursor")


def test_cursor_of_another_user_is_refused(user: User, other_user: User) -> None:
    for _ in range(2):
        user.add()
        other_user.add()
    theirs = listing(other_user, limit=1)["next_cursor"]
    response = user.client.get("/api/expenses", params={"cursor": theirs, "limit": 1})
    assert_problem(response, 422, "cursor")


def test_cursor_for_other_filters_is_refused(user: User) -> None:
    for _ in range(3):
        user.add(category="Food")
    cursor = listing(user, limit=1, category="Food")["next_cursor"]
    response = user.client.get("/api/expenses", params={"cursor": cursor, "category": "Travel"})
    assert_problem(response, 422, "cursor")


def test_other_users_expenses_never_appear(user: User, other_user: User) -> None:
    mine = user.add(category="Shared", description="mine")["id"]
    other_user.add(category="Shared", description="theirs mine")
    assert ids(user) == [mine]
    assert ids(user, q="theirs") == []
    assert ids(user, category="Shared") == [mine]
    assert walk(user, limit=1) == [mine]


def test_owner_in_the_query_string_is_ignored(user: User, other_user: User) -> None:
    other_user.add()
    assert ids(user, userId=other_user.user_id, user_id=other_user.user_id) == []
