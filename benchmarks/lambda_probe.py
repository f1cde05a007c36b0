"""Runs in a fresh interpreter, as a Lambda execution environment would: import the handler,
then answer the API Gateway events in a JSON file, timing each step.

    python -m benchmarks.lambda_probe EVENTS.json

Settings come from the environment (EXPENSE_TRACKER_*), as on Lambda. Only the standard library
is imported before the handler, so the import figure is the handler's own."""

from __future__ import annotations

import json
import sys
import time
import uuid


class Context:
    """The parts of Lambda's context object an ASGI adapter may read."""

    function_name = "expense-tracker-api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:expense-tracker"
    log_group_name = "/aws/lambda/expense-tracker-api"
    log_stream_name = "bench"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def main(events_path: str) -> None:
    t0, c0 = time.perf_counter(), time.process_time()
    from expense_tracker.entrypoints.lambda_handler import handler

    imported, imported_cpu = time.perf_counter() - t0, time.process_time() - c0
    with open(events_path) as f:
        events = json.load(f)
    calls = []
    for event in events:
        t, c = time.perf_counter(), time.process_time()
        answer = handler(event, Context())
        calls.append(
            {
                "seconds": time.perf_counter() - t,
                "cpu": time.process_time() - c,
                "status": answer["statusCode"],
                "answered_at": time.time(),
            }
        )
    print(json.dumps({"import_seconds": imported, "import_cpu": imported_cpu, "calls": calls}))


if __name__ == "__main__":
    main(sys.argv[1])
