"""/api/rules: categorisation rules for imported rows."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status

from ....domain.imports import Rule
from ....services import rules as svc
from ..deps import ContainerDep, PrincipalDep
from ..schemas_imports import RuleCreate, RuleList, RuleOut, RuleUpdate
from .common import problems
from .expenses import parse_if_match

router = APIRouter(prefix="/api/rules", tags=["rules"])


def rule_record(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "contains": rule.contains,
        "category": rule.category,
        "version": rule.version,
    }


def _answer(rule: Rule, response: Response) -> dict[str, Any]:
    response.headers["ETag"] = f'"{rule.version}"'
    return rule_record(rule)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RuleOut,
    operation_id="create_rule",
    responses=problems(),
)
def create_rule(
    body: RuleCreate, response: Response, principal: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    """Imported rows without a category take the first matching rule's (in creation order)."""
    rule = svc.create_rule(
        rules=c.rules, user_id=principal.user_id, contains=body.contains, category=body.category
    )
    response.headers["Location"] = f"/api/rules/{rule.id}"
    return _answer(rule, response)


@router.get("", response_model=RuleList, operation_id="list_rules", responses=problems())
def list_rules(
    principal: PrincipalDep,
    c: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """In the order they are tried."""
    page = svc.list_rules(rules=c.rules, user_id=principal.user_id, limit=limit, cursor=cursor)
    return {"items": [rule_record(r) for r in page.items], "next_cursor": page.next}


@router.get("/{rule_id}", response_model=RuleOut, operation_id="get_rule", responses=problems(404))
def get_rule(
    rule_id: str, response: Response, principal: PrincipalDep, c: ContainerDep
) -> dict[str, Any]:
    return _answer(
        svc.get_rule(rules=c.rules, user_id=principal.user_id, rule_id=rule_id), response
    )


@router.patch(
    "/{rule_id}",
    response_model=RuleOut,
    operation_id="update_rule",
    responses=problems(404, 412),
)
def update_rule(
    rule_id: str,
    body: RuleUpdate,
    response: Response,
    principal: PrincipalDep,
    c: ContainerDep,
    if_match: Annotated[str | None, Header(max_length=64)] = None,
) -> dict[str, Any]:
    rule = svc.update_rule(
        rules=c.rules,
        user_id=principal.user_id,
        rule_id=rule_id,
        changes=body.model_dump(exclude_unset=True),
        if_match=parse_if_match(if_match),
    )
    return _answer(rule, response)


@router.delete(
    "/{rule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_rule",
    responses=problems(404),
)
def delete_rule(rule_id: str, principal: PrincipalDep, c: ContainerDep) -> Response:
    svc.delete_rule(rules=c.rules, user_id=principal.user_id, rule_id=rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
