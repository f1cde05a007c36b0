"""openapi.yaml is the app's spec, committed; its links chain create -> get/patch/delete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from expense_tracker.entrypoints.http.openapi_spec import spec
from tests.support.api import Api

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.yaml"


def app_spec() -> dict[str, Any]:
    """The spec as JSON would carry it (tuples become lists, keys become strings)."""
    document: dict[str, Any] = json.loads(json.dumps(spec()))
    return document


def operations(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """operationId -> (path, operation)."""
    found = {}
    for path, item in document["paths"].items():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                found[operation["operationId"]] = (path, operation)
    return found


def test_committed_openapi_yaml_is_the_apps_spec() -> None:
    committed = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    assert committed == app_spec(), "openapi.yaml is stale: run `make openapi` and commit it"


def test_served_spec_describes_the_same_operations(api: Api) -> None:
    with api.client() as anon:
        response = anon.get("/api/openapi.json")
    assert response.status_code == 200
    served = operations(response.json())
    assert operations(app_spec()).keys() <= served.keys()


def test_create_links_to_get_patch_and_delete_by_the_new_id() -> None:
    document = app_spec()
    ops = operations(document)
    _, create = ops["create_expense"]
    links = create["responses"]["201"]["links"]
    targets = {link["operationId"]: link for link in links.values()}
    assert targets.keys() == {"get_expense", "update_expense", "delete_expense"}
    for operation_id, link in targets.items():
        path, operation = ops[operation_id]
        path_params = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert link["parameters"] == dict.fromkeys(path_params, "$response.body#/id")
        assert path == "/api/expenses/{" + next(iter(path_params)) + "}"
    assert "id" in document["components"]["schemas"]["ExpenseOut"]["required"]


def test_every_operation_documents_its_problem_answers() -> None:
    for operation_id, (_, operation) in operations(app_spec()).items():
        if operation_id in {"health", "jwks"}:
            continue
        codes = {code for code in operation["responses"] if code.startswith("4")}
        assert "422" in codes, operation_id
        problem = operation["responses"]["422"]["content"]
        assert "application/problem+json" in problem, operation_id
