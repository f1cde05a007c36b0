"""CloudWatch metrics from Lambda without an API call: one line of the Embedded Metric Format
on standard output, which Lambda sends to CloudWatch Logs and CloudWatch turns into a metric
(the template's alarms watch them). Printed whole, never through `logging`, whose prefix on
Lambda would make the line unreadable as EMF."""

from __future__ import annotations

import json
import sys
import time

NAMESPACE = "ExpenseTracker"
# A refresh token was reused and revoking its session failed: the session may still be live.
REVOKE_FAILED = "RefreshReuseRevokeFailed"


def count(metric: str, namespace: str = NAMESPACE) -> None:
    line = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {"Namespace": namespace, "Dimensions": [[]], "Metrics": [{"Name": metric}]}
            ],
        },
        metric: 1,
    }
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()
