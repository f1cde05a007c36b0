"""Messages and rules every ExpenseStore shares (the contract suite compares them), apart from the
memory fakes so a real store loads none of them (the Lambda lane's cold start)."""

from __future__ import annotations

from datetime import timedelta

DUPLICATE_ID = "An expense with this id already exists"
IDEMPOTENCY_MISMATCH = "was already used with a different request body"
# Keys are honoured this long (the contract promises at least 24 h), measured from the
# first request's created_at; every store forgets them after it.
IDEMPOTENCY_RETENTION = timedelta(hours=48)
