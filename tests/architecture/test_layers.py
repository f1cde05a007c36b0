"""The import graph of src/, built from the modules' own import statements (grimp): no circle
anywhere, and the layers only import downwards. Adapters of one place never reach into another
place's adapters except where the local server is built on SQLite."""

from __future__ import annotations

import grimp
import pytest

PACKAGE = "expense_tracker"
# Lowest first: a module may import from its own layer's package or any layer below it.
LAYERS = [
    "domain",
    "config",
    "ports",
    "services",
    "container",
    "adapters",
    "bootstrap",
    "entrypoints",
]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, include_external_packages=True, cache_dir=None)


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def test_layers_only_import_downwards(graph: grimp.ImportGraph) -> None:
    upward = []
    for importer in graph.modules:
        low = _layer_of(importer)
        if low is None:
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            high = _layer_of(imported)
            if high is not None and LAYERS.index(high) > LAYERS.index(low):
                upward.append(f"{importer} -> {imported}")
    assert upward == []


def test_no_import_cycle_in_src(graph: grimp.ImportGraph) -> None:
    ours = sorted(m for m in graph.modules if m.startswith(PACKAGE + "."))
    assert len(ours) > 50  # the graph really holds the package
    cycles = []
    for module in ours:
        for imported in graph.find_modules_directly_imported_by(module):
            if (
                imported.startswith(PACKAGE)
                and module != imported
                and graph.chain_exists(imported, module, as_packages=False)
            ):
                cycles.append(f"{module} <-> {imported}")
    assert cycles == []


def test_places_stay_apart(graph: grimp.ImportGraph) -> None:
    """AWS code never loads a local adapter, and the everywhere-code loads neither."""
    forbidden = [
        ("expense_tracker.adapters.aws", "expense_tracker.adapters.local"),
        ("expense_tracker.adapters.aws", "expense_tracker.adapters.sqlite"),
        ("expense_tracker.adapters.local", "expense_tracker.adapters.aws"),
        ("expense_tracker.adapters.sqlite", "expense_tracker.adapters.aws"),
        ("expense_tracker.adapters.sqlite", "expense_tracker.adapters.local"),
        ("expense_tracker.adapters.common", "expense_tracker.adapters.aws"),
        ("expense_tracker.adapters.common", "expense_tracker.adapters.local"),
        ("expense_tracker.adapters.common", "expense_tracker.adapters.sqlite"),
    ]
    found = [f"{a} -> {b}" for a, b in forbidden if graph.chain_exists(a, b, as_packages=True)]
    assert found == []


def test_domain_imports_no_framework(graph: grimp.ImportGraph) -> None:
    external = {"fastapi", "starlette", "boto3", "botocore", "sqlite3", "pydantic", "uvicorn"}
    bad = sorted(
        f"{module} -> {imported}"
        for module in graph.find_children("expense_tracker.domain") | {"expense_tracker.domain"}
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] in external
    )
    assert bad == []
