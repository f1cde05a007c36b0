"""Paths whose bodies may be larger than the default limit (known without importing their
routes, so the Lambda app can set its limits before any route is built)."""

from __future__ import annotations

from ...services.transfer import MAX_IMPORT_BYTES

IMPORT_PATH = "/api/expenses/import"
IMPORT_BODY_LIMIT = MAX_IMPORT_BYTES + 64 * 1024  # the file plus multipart framing
