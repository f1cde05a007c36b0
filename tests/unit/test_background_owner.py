"""One process of `serve --workers N` runs the background work (jobs worker, daily trigger,
rates refresh); the others stand by and take over when it goes away."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from expense_tracker.adapters.local.background_owner import SingleOwner
from expense_tracker.adapters.local.wiring import build_local_container
from expense_tracker.config import Settings

# A server process in miniature: its background task notes the pid when it starts.
OWNER_SCRIPT = """
import sys, threading, os
from pathlib import Path
from expense_tracker.adapters.local.background_owner import SingleOwner

class Note:
    def start(self):
        with open(sys.argv[2], "a") as f:
            f.write(f"{os.getpid()}\\n")
    def stop(self):
        pass

owner = SingleOwner(Path(sys.argv[1]), [Note()], retry_seconds=0.05)
owner.start()
print("ready", flush=True)
threading.Event().wait()
"""


class Counting:
    def __init__(self) -> None:
        self.started = 0
        self.stopped = 0

    def start(self) -> None:
        self.started += 1

    def stop(self) -> None:
        self.stopped += 1


def wait_until(condition: object, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.02)
    return False


def test_only_the_lock_holder_runs_the_tasks_and_a_stand_by_takes_over(tmp_path: Path) -> None:
    first_task, second_task = Counting(), Counting()
    first = SingleOwner(tmp_path / "bg.lock", [first_task], retry_seconds=0.02)
    second = SingleOwner(tmp_path / "bg.lock", [second_task], retry_seconds=0.02)
    first.start()
    second.start()
    assert (first.owner, second.owner) == (True, False)
    assert (first_task.started, second_task.started) == (1, 0)
    first.stop()
    assert first_task.stopped == 1
    assert wait_until(lambda: second.owner)
    assert second_task.started == 1
    second.stop()
    assert second_task.stopped == 1


def test_a_stopped_stand_by_never_starts_its_tasks(tmp_path: Path) -> None:
    held, waiting = Counting(), Counting()
    owner = SingleOwner(tmp_path / "bg.lock", [held])
    standby = SingleOwner(tmp_path / "bg.lock", [waiting], retry_seconds=0.01)
    owner.start()
    standby.start()
    standby.stop()
    owner.stop()
    assert (waiting.started, waiting.stopped) == (0, 0)


def _spawn(lock: Path, notes: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT, str(lock), str(notes)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def test_of_several_processes_one_runs_the_tasks_until_it_is_killed(tmp_path: Path) -> None:
    lock, notes = tmp_path / "bg.lock", tmp_path / "started.txt"
    processes = [_spawn(lock, notes) for _ in range(3)]
    try:
        pids = notes.read_text().split()
        assert len(pids) == 1
        owner = next(p for p in processes if str(p.pid) == pids[0])
        owner.kill()  # a crash: the kernel drops its lock
        owner.wait(timeout=10)
        assert wait_until(lambda: len(notes.read_text().split()) == 2)
        time.sleep(0.3)  # several retry rounds of the two left: still one new owner
        new_pids = notes.read_text().split()
        assert len(new_pids) == 2 and new_pids[1] != pids[0]
    finally:
        for process in processes:
            process.kill()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()


def test_the_local_server_runs_its_background_through_one_owner(tmp_path: Path) -> None:
    container = build_local_container(Settings(data_dir=tmp_path, rates_refresh=False))
    try:
        owners = [task for task in container.background if isinstance(task, SingleOwner)]
        assert len(owners) == 1
        assert len(container.background) == 1  # nothing runs beside it in every process
    finally:
        container.close()


def test_the_rates_refresh_is_the_owners_and_every_process_follows_its_file(
    tmp_path: Path,
) -> None:
    from expense_tracker.adapters.local.rates_refresh import RatesFollower, RatesRefresher

    container = build_local_container(Settings(data_dir=tmp_path, rates_refresh=True))
    try:
        (owner,) = [task for task in container.background if isinstance(task, SingleOwner)]
        assert sum(isinstance(task, RatesRefresher) for task in owner.tasks) == 1
        followers = [task for task in container.background if isinstance(task, RatesFollower)]
        assert len(followers) == 1
    finally:
        container.close()
