"""Categorisation rules: an imported row without a category takes the first matching rule's."""

from __future__ import annotations

from dataclasses import replace

from ulid import ULID

from ..domain.errors import FieldError, Invalid, NotFound, PreconditionFailed
from ..domain.expense import clean_category
from ..domain.imports import Rule, clean_contains, validate_rule
from ..ports.imports import RulePage, RuleStore

MAX_PAGE = 200
ID_MAX = 64


def known_rule_id(rule_id: str) -> str:
    if not (0 < len(rule_id) <= ID_MAX and rule_id.isascii() and rule_id.isalnum()):
        raise NotFound("No such rule")
    return rule_id


def create_rule(*, rules: RuleStore, user_id: str, contains: object, category: object) -> Rule:
    text, name = validate_rule(contains, category)
    return rules.add(Rule(str(ULID()), user_id, text, name))


def list_rules(*, rules: RuleStore, user_id: str, limit: int, cursor: str | None) -> RulePage:
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(FieldError("limit", f"must be between 1 and {MAX_PAGE}"))
    if cursor is not None and not (cursor.isascii() and cursor.isalnum() and len(cursor) <= ID_MAX):
        raise Invalid(FieldError("cursor", "is not a cursor this API gave out"))
    return rules.list_page(user_id, limit, cursor)


def get_rule(*, rules: RuleStore, user_id: str, rule_id: str) -> Rule:
    return rules.get(user_id, known_rule_id(rule_id))


def update_rule(
    *,
    rules: RuleStore,
    user_id: str,
    rule_id: str,
    changes: dict[str, object],
    if_match: int | None,
) -> Rule:
    current = get_rule(rules=rules, user_id=user_id, rule_id=rule_id)
    if if_match is not None and current.version != if_match:
        raise PreconditionFailed(f"The rule is at version {current.version}")
    errors: list[FieldError] = []
    contains, category = current.contains, current.category
    try:
        if "contains" in changes:
            contains = clean_contains(changes["contains"])
    except Invalid as exc:
        errors.extend(exc.errors)
    try:
        if "category" in changes:
            category = clean_category(changes["category"])
    except Invalid as exc:
        errors.extend(exc.errors)
    if errors:
        raise Invalid(errors)
    if (contains, category) == (current.contains, current.category):
        return current
    changed = replace(current, contains=contains, category=category, version=current.version + 1)
    return rules.replace(changed, expected_version=current.version)


def delete_rule(*, rules: RuleStore, user_id: str, rule_id: str) -> None:
    rules.delete(user_id, known_rule_id(rule_id))
