"""CPU time of a process and its descendants, read from /proc (Linux): a server's CPU per
request is steadier than its requests/s while other work shares the machine."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone meanwhile
        return None
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces


def tree_cpu_seconds(root: int) -> float:
    """User plus system CPU of `root` and every living descendant (children's exits not
    counted: the servers' workers live as long as the measurement)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is None:
            continue
        parents[int(entry.name)] = int(fields[1])  # field 4, ppid
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(times.get(pid, 0.0) for pid in tree)
