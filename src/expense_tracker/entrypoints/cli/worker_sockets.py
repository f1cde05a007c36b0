"""`serve --workers N`: each worker process listens on a socket of its own (SO_REUSEPORT), and
the kernel spreads the connections over them.

Uvicorn binds one socket in the supervisor and hands it to every worker. Each worker's event
loop (uvloop's libuv) accepts every connection waiting at once when it wakes, so a burst of new
connections, such as a client opening its keep-alive pool, often all went to whichever worker
woke first: wrk's 16 connections sometimes all landed on one of two workers, which then served
them alone while the other idled (two workers: 1.0x one worker on that run, 1.8x on the next).
With a listener per worker the kernel picks one for each connection by its address hash.

The supervisor still binds first (so a port taken is its error, and the port stays held
between worker restarts), but never listens: a bound socket takes no connections. What crosses
to a worker (uvicorn pickles the sockets into its spawned processes) is not that socket but the
recipe for its own: `ReusePortSocket` pickles as "bind a new one to the same address".

SO_REUSEPORT would also let a second `serve` of the same user on the same port join in and
take half the connections (to its own data directory, maybe). So the supervisor first binds a
plain socket there, which a port another server listens on refuses (one starting in the
same second is not seen: its workers do not listen yet)."""

from __future__ import annotations

import socket
from typing import Any


def _bound(family: int, host: str, port: int) -> socket.socket:
    sock = socket.socket(family=family)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def worker_listener(family: int, host: str, port: int) -> socket.socket:
    """In a worker process: its own socket on the supervisor's address (unpickling)."""
    return _bound(family, host, port)


class ReusePortSocket(socket.socket):
    """The supervisor's socket; a worker that receives it binds its own."""

    def __reduce__(self) -> tuple[Any, ...]:
        host, port = self.getsockname()[:2]
        return (worker_listener, (int(self.family), host, port))


def _refuse_if_served(family: int, host: str, port: int) -> None:
    """OSError (address in use) when a socket listens on the port, as uvicorn's own bind."""
    with socket.socket(family=family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAITs are fine
        probe.bind((host, port))


def supervisor_socket(host: str, port: int) -> ReusePortSocket:
    """Bound (SO_REUSEPORT), not listening; port 0 picks a free one for all the workers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if port != 0:
        _refuse_if_served(family, host, port)
    plain = _bound(family, host, port)
    return ReusePortSocket(family=family, fileno=plain.detach())
