"""wrk (Debian's package): a fixed-length closed-loop run, its figures read from a Lua `done`."""

from __future__ import annotations

import itertools
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

MARKER = "WRKJSON "
# wrk calls done() once at the end with the merged figures; latencies are in microseconds.
DONE_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "%s{\\"requests\\": %d, \\"duration_us\\": %d, \\"non_2xx_3xx\\": %d, \\"socket_errors\\": %d,"
    .. " \\"p50_us\\": %d, \\"p99_us\\": %d, \\"max_us\\": %d}\\n",
    "MARKER", summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
""".replace("MARKER", MARKER)


@dataclass(frozen=True)
class Request:
    path: str
    method: str = "GET"
    body: str | None = None
    token: str | None = None
    content_type: str = "application/json"


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    non_2xx_3xx: int
    socket_errors: int
    p50: float  # seconds
    p99: float
    max: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"  # a long bracket: no escaping needed for JSON or tokens


# A body with "{n}" gets a counter there, per request, so each add differs: the same body
# every time would make every add after the first a "possible duplicate" (an alert, so a
# second write). Each run starts where the one before could have stopped (RUN_STRIDE apart):
# a run restarting at 1 repeated the warm-up's amounts, and measured alerts, not adds.
RUN_STRIDE = 10_000_000
COUNTER_LUA = """
local n = START
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, (string.gsub(wrk.body, "{n}", tostring(n))))
end
"""
_runs = itertools.count()


def script(request: Request) -> str:
    lines = [f"wrk.method = {_lua_string(request.method)}"]
    if request.body is not None:
        lines.append(f"wrk.body = {_lua_string(request.body)}")
        lines.append(f'wrk.headers["Content-Type"] = {_lua_string(request.content_type)}')
    if request.token is not None:  # in the script, not on a command line others can read
        lines.append(f'wrk.headers["Authorization"] = {_lua_string("Bearer " + request.token)}')
    start = str(100 + RUN_STRIDE * next(_runs))
    counter = COUNTER_LUA.replace("START", start) if request.body and "{n}" in request.body else ""
    return "\n".join(lines) + "\n" + counter + DONE_LUA


def parse(output: str) -> WrkResult:
    for line in output.splitlines():
        if line.startswith(MARKER):
            raw = json.loads(line[len(MARKER) :])
            return WrkResult(
                requests=raw["requests"],
                seconds=raw["duration_us"] / 1e6,
                non_2xx_3xx=raw["non_2xx_3xx"],
                socket_errors=raw["socket_errors"],
                p50=raw["p50_us"] / 1e6,
                p99=raw["p99_us"] / 1e6,
                max=raw["max_us"] / 1e6,
            )
    raise RuntimeError(f"no figures in wrk's output:\n{output}")


def run_wrk(
    base_url: str,
    request: Request,
    *,
    seconds: int,
    connections: int,
    threads: int,
    workdir: Path,
) -> WrkResult:
    lua = workdir / "wrk-request.lua"
    lua.write_text(script(request))
    lua.chmod(0o600)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(lua),
        base_url + request.path,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse(done.stdout)
