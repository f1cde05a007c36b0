"""`serve --workers 2`: each worker listens on a socket of its own on the one port (SO_REUSEPORT),
so the kernel spreads connections over the workers; and what a worker is handed is a recipe for
its own listener, not the supervisor's socket."""

from __future__ import annotations

import errno
import io
import os
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from expense_tracker.entrypoints.cli.worker_sockets import supervisor_socket
from tests.support.server import start_server

TCP_LISTEN, TCP_ESTABLISHED = "0A", "01"  # the state column of /proc/net/tcp
CONNECTIONS = 32
START_SECONDS = 60  # for the second worker to start on a busy machine


def _inodes(port: int, state: str) -> set[str]:
    """The socket inodes of local `port` in `state`, from /proc/net/tcp."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
            inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            found.add(target[len("socket:[") : -1])
    return found


def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def test_a_worker_is_handed_its_own_listener_on_the_same_port() -> None:
    from multiprocessing.reduction import ForkingPickler

    with supervisor_socket("127.0.0.1", 0) as parent:
        buffer = io.BytesIO()
        ForkingPickler(buffer).dump(parent)
        with ForkingPickler.loads(buffer.getvalue()) as own:
            assert own.fileno() != parent.fileno()
            assert own.getsockname() == parent.getsockname()
            assert own.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
            assert own.get_inheritable()


@pytest.mark.slow
def test_two_workers_each_listen_and_both_take_connections(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", workers=2)
    try:
        port = int(server.base_url.rsplit(":", 1)[1])
        workers = _listeners_by_worker(server.process.pid, port)
        assert len(workers) == 2, workers  # the two workers, each with a listener
        first, second = workers.values()
        assert first.isdisjoint(second)  # their own, not one shared socket

        # A burst of connections, all open at once: each worker takes some of them.
        clients = [httpx.Client(base_url=server.base_url) for _ in range(CONNECTIONS)]
        barrier = threading.Barrier(CONNECTIONS)

        def connect(client: httpx.Client) -> None:
            barrier.wait()
            client.get("/api/health").raise_for_status()

        threads = [threading.Thread(target=connect, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        holders = {pid for pid in workers if _established(pid, port)}
        for client in clients:
            client.close()
        assert holders == set(workers)
    finally:
        server.stop()


def _listeners_by_worker(supervisor: int, port: int) -> dict[int, set[str]]:
    """Each child's listening sockets on `port`, once two children listen (the server answers
    as soon as one does)."""
    deadline = time.monotonic() + START_SECONDS
    while True:
        listening = _inodes(port, TCP_LISTEN)
        found = {pid: _socket_inodes(pid) & listening for pid in _children(supervisor)}
        found = {pid: inodes for pid, inodes in found.items() if inodes}
        if len(found) >= 2 or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _established(pid: int, port: int) -> bool:
    """Whether `pid` holds an accepted connection on `port`."""
    return not _socket_inodes(pid).isdisjoint(_inodes(port, TCP_ESTABLISHED))


def test_a_port_another_server_listens_on_is_refused() -> None:
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # could share, were it asked
        other.bind(("127.0.0.1", 0))
        other.listen()
        with pytest.raises(OSError) as refused:
            supervisor_socket("127.0.0.1", other.getsockname()[1])
        assert refused.value.errno == errno.EADDRINUSE
