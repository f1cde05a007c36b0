"""The app's OpenAPI spec, rendered without wiring any adapter (for openapi.yaml)."""

from __future__ import annotations

import json
from typing import Any

import yaml

from ...adapters.common.clock import SystemClock
from ...adapters.memory import (
    MemoryExpenseStore,
    MemoryIdentity,
    MemoryJobs,
    MemoryProfiles,
    MemoryRates,
    MemoryReceiptStore,
)
from ...adapters.memory_exports import MemoryExportFiles
from ...adapters.memory_imports import MemoryImportLedger, MemoryRuleStore
from ...adapters.memory_plans import MemoryPlans
from ...adapters.memory_reader import MemoryReceiptReader
from ...bootstrap import Container
from ...config import Settings
from ...services.cursors import CursorCodec
from .app import create_app


def memory_container(settings: Settings | None = None) -> Container:
    """The in-memory adapters: enough to build the app and render its document."""
    store = MemoryExpenseStore()
    return Container(
        ledger=MemoryImportLedger(store),
        rules=MemoryRuleStore(),
        settings=settings or Settings(),
        store=store,
        receipts=MemoryReceiptStore(),
        identity=MemoryIdentity(),
        profiles=MemoryProfiles(),
        clock=SystemClock(),
        cursors=CursorCodec(b"spec"),
        jobs=MemoryJobs(SystemClock()),
        rates=MemoryRates({}),  # interim: the ECB history adapter replaces it
        exports=MemoryExportFiles(SystemClock()),
        plans=MemoryPlans(),
        reader=MemoryReceiptReader(),
    )


def spec() -> dict[str, Any]:
    return create_app(container=memory_container(), serve_pages=False).openapi()


def render_spec(*, yaml_format: bool) -> str:
    document = spec()
    if yaml_format:
        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return json.dumps(document, indent=2)
