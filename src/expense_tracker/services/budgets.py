"""Budget use cases: create, list, get, change, delete, and the status of a month."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from ulid import ULID

from ..domain.budgets import Budget, BudgetStatus, Missing, parse_period, period_range, status_of
from ..domain.conversion import PRECISION, convert
from ..domain.errors import Conflict, FieldError, Invalid
from ..domain.expense import Expense, ExpenseFilter, clean_category
from ..domain.money import format_amount, from_minor, parse_amount, parse_currency
from ..ports import Clock, ExpenseStore, Profiles
from ..ports.plans import BUDGET, PlanRecord, PlanStore
from ..ports.rates import Rates
from .plan_records import Page, check_version, home_currency, known_id, page_of

MAX_BUDGETS = 100  # per user: the status of every budget is computed on each request
FIELDS = ("category", "amount", "currency", "period")


def budget_from_record(record: PlanRecord) -> Budget:
    body = record.body
    currency = str(body["currency"])
    category = body.get("category")
    return Budget(
        id=record.id,
        user_id=record.user_id,
        category=None if category is None else str(category),
        amount=parse_amount(str(body["amount"]), currency),
        currency=currency,
        period=parse_period(body["period"]),
        version=record.version,
    )


def budget_to_record(budget: Budget) -> PlanRecord:
    body = {
        "category": budget.category,
        "amount": format_amount(budget.amount, budget.currency),
        "currency": budget.currency,
        "period": budget.period,
    }
    return PlanRecord(budget.user_id, BUDGET, budget.id, body, budget.version)


def _validated(user_id: str, budget_id: str, raw: Mapping[str, Any], version: int) -> Budget:
    """Every field checked at once, all problems reported together."""
    errors: list[FieldError] = []

    def check(fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except Invalid as exc:
            errors.extend(exc.errors)
            return None

    currency = check(parse_currency, raw.get("currency"), "currency")
    amount = check(parse_amount, raw.get("amount"), currency) if currency else None
    if raw.get("amount") is None:
        errors = [e for e in errors if e.field != "amount"] + [FieldError("amount", "is required")]
    category = raw.get("category")
    category = None if category is None else check(clean_category, category)
    period = check(parse_period, raw.get("period", "month"))
    if errors or amount is None:
        raise Invalid(errors)
    return Budget(budget_id, user_id, category, amount, currency, period, version)


def create_budget(
    *, plans: PlanStore, profiles: Profiles, user_id: str, raw: Mapping[str, Any]
) -> Budget:
    if len(plans.records(user_id, BUDGET, MAX_BUDGETS)) >= MAX_BUDGETS:
        raise Conflict(f"At most {MAX_BUDGETS} budgets per user")
    fields = {"currency": home_currency(profiles, user_id), **raw}
    if fields.get("currency") is None:
        fields["currency"] = home_currency(profiles, user_id)
    budget = _validated(user_id, str(ULID()), fields, 1)
    plans.create([budget_to_record(budget)])
    return budget


def list_budgets(
    *, plans: PlanStore, user_id: str, limit: int = 50, cursor: str | None = None
) -> Page[Budget]:
    return page_of(plans, user_id, BUDGET, budget_from_record, limit, cursor)


def get_budget(*, plans: PlanStore, user_id: str, budget_id: str) -> Budget:
    return budget_from_record(plans.get(user_id, BUDGET, known_id(budget_id, "budget")))


def update_budget(
    *,
    plans: PlanStore,
    user_id: str,
    budget_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> Budget:
    current = get_budget(plans=plans, user_id=user_id, budget_id=budget_id)
    check_version(current.version, if_match, "budget")
    for name in ("amount", "currency", "period"):
        if name in changes and changes[name] is None:
            raise Invalid(FieldError(name, "must not be null"))
    merged = {**budget_to_record(current).body, **changes}
    changed = _validated(user_id, current.id, merged, current.version + 1)
    plans.replace(budget_to_record(changed), expected_version=current.version)
    return changed


def delete_budget(*, plans: PlanStore, user_id: str, budget_id: str) -> None:
    plans.delete(user_id, BUDGET, known_id(budget_id, "budget"))


# (casefolded category, day, currency) -> exact sum and count, for one period's expenses.
DayTotals = dict[tuple[str, date, str], tuple[Decimal, int]]


def day_totals(store: ExpenseStore, user_id: str, start: date, end: date) -> DayTotals:
    """The period's spending per category, day and currency, read once however many budgets
    use it, from the store's per-day running totals (O(days), not O(expenses))."""
    totals: dict[tuple[str, date, str], tuple[Decimal, int]] = defaultdict(lambda: (Decimal(0), 0))

    def count_in(category: str, day: date, currency: str, amount: Decimal, count: int) -> None:
        bucket = (category.casefold(), day, currency)
        total, seen = totals[bucket]
        totals[bucket] = (total + amount, seen + count)

    for t in store.day_totals(user_id, ExpenseFilter(date_from=start, date_to=end)):
        count_in(t.category, t.day, t.currency, from_minor(t.minor, t.currency), t.count)
    return dict(totals)


def spent_in(
    budget: Budget, totals: DayTotals, rates: Rates
) -> tuple[Decimal, tuple[Missing, ...]]:
    """The budget's spending in its currency, each day converted at that day's rate, exactly;
    what has no rate is reported per currency, never guessed."""
    wanted = budget.category.casefold() if budget.category else None
    spent = Decimal(0)
    missing: dict[str, tuple[Decimal, int]] = {}
    for (category, day, currency), (amount, count) in totals.items():
        if wanted is not None and category != wanted:
            continue
        day_rates = None if currency == budget.currency else rates.on(day)
        per_euro = day_rates.per_euro if day_rates is not None else None
        converted = convert(amount, currency, budget.currency, per_euro)
        if converted is None:
            total, n = missing.get(currency, (Decimal(0), 0))
            missing[currency] = (total + amount, n + count)
        else:
            with localcontext() as ctx:  # exact: the sum is rounded once, by status_of
                ctx.prec = PRECISION
                spent += converted
    gaps = tuple(Missing(c, n, total) for c, (total, n) in sorted(missing.items()))
    return spent, gaps


def budget_status(
    *,
    store: ExpenseStore,
    plans: PlanStore,
    rates: Rates,
    clock: Clock,
    user_id: str,
    month: date,
    touching: Expense | None = None,
) -> list[BudgetStatus]:
    """Each budget's status for the month; with `touching`, only the budgets that expense
    counts towards (its category, its date in their period): the others' totals did not move,
    so an add reads nothing for them."""
    budgets = [budget_from_record(r) for r in plans.records(user_id, BUDGET, MAX_BUDGETS)]
    if touching is not None:
        budgets = [b for b in budgets if counts_towards(touching, b, month)]
    today = clock.today()
    by_period: dict[tuple[date, date], DayTotals] = {}
    statuses = []
    for budget in budgets:
        span = period_range(budget.period, month)
        if span not in by_period:
            by_period[span] = day_totals(store, user_id, *span)
        spent, missing = spent_in(budget, by_period[span], rates)
        statuses.append(status_of(budget, month, today, spent, missing))
    return statuses


def counts_towards(expense: Expense, budget: Budget, month: date) -> bool:
    start, end = period_range(budget.period, month)
    wanted = budget.category.casefold() if budget.category else None
    return start <= expense.date <= end and wanted in (None, expense.category.casefold())
