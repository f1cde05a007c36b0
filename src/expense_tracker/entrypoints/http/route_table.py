"""Every area's routes: the module that holds its router, in the order the app includes them
(transfer before expenses: /api/expenses/import before /api/expenses/{id}), and the literal
start of each of its paths, which lets the Lambda app import an area only when a request's
path could reach it (tests/http/test_lazy_routes.py checks every route against its area)."""

from __future__ import annotations

from dataclasses import dataclass

ROUTES_PACKAGE = "expense_tracker.entrypoints.http.routes"


@dataclass(frozen=True)
class Area:
    module: str  # under ROUTES_PACKAGE; its `router` is included
    prefixes: tuple[str, ...]  # every path of the router starts with one of these
    local_only: bool = False  # the local adapters' own routes (upload target, downloads)

    def prefixes_match(self, path: str) -> bool:
        return path.startswith(self.prefixes)


AREAS = (
    Area("meta", ("/api/health", "/.well-known/jwks.json")),
    Area("accounts", ("/api/auth/", "/api/me")),
    Area("account_page", ("/api/auth/", "/api/me")),
    Area("transfer", ("/api/expenses/",)),
    Area("expenses", ("/api/expenses",)),
    Area("insights", ("/api/categories", "/api/analytics/")),
    Area("exports", ("/api/exports",)),
    Area("imports", ("/api/imports",)),
    Area("rules", ("/api/rules",)),
    Area("rates", ("/api/rates",)),
    Area("budgets", ("/api/budgets",)),
    Area("recurring", ("/api/recurring",)),
    Area("alerts", ("/api/alerts",)),
    Area("scans", ("/api/scans",)),
    Area("receipts", ("/api/expenses/",)),
    Area("uploads", ("/api/_local/receipts/",), local_only=True),
    Area("export_downloads", ("/api/_local/exports/",), local_only=True),
)


def areas_for(backend: str) -> tuple[Area, ...]:
    return tuple(a for a in AREAS if backend == "local" or not a.local_only)
