"""`serve` and `openapi`."""

from __future__ import annotations

import contextlib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .base import DataDir, app, settings_for

ASGI_APP = "expense_tracker.entrypoints.asgi:app"


class AccessLogMode(StrEnum):
    off = "off"
    json = "json"


AccessLog = Annotated[
    AccessLogMode | None,
    typer.Option(
        help="Access log: off, or JSON lines on stderr [default: EXPENSE_TRACKER_ACCESS_LOG "
        "or off]",
        show_default=False,
    ),
]


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data_dir: DataDir = None,
    workers: int = typer.Option(1, help="Server processes sharing the database"),
    access_log: AccessLog = None,
) -> None:
    """Start the web app and API. Creates the data directory, database and keys on first start."""
    import os

    import uvicorn

    settings = settings_for(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    from ...bootstrap import build_container
    from ..http.guarded_protocol import GuardedHttpToolsProtocol

    build_container(settings).close()  # create the database and keys once, before workers fork
    typer.echo(f"expense-tracker: http://{host}:{port}  (data in {settings.data_dir.resolve()})")
    os.environ["EXPENSE_TRACKER_DATA_DIR"] = str(settings.data_dir.resolve())
    if access_log is not None:  # the workers read their settings from the environment
        os.environ["EXPENSE_TRACKER_ACCESS_LOG"] = access_log.value
    # The server keeps the ECB rates fresh (quietly keeping the shipped ones when offline).
    os.environ.setdefault("EXPENSE_TRACKER_RATES_REFRESH", "true")
    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "proxy_headers": False,
        "log_level": "info",
        "access_log": False,  # the app's own, when asked for (entrypoints/http/access_log.py)
        "http": GuardedHttpToolsProtocol,  # a bounded request head with a deadline
        "timeout_keep_alive": settings.keep_alive_seconds,
        # With --workers, a child that does not answer the supervisor's ping in time is killed
        # and restarted; its start-up imports on a busy machine can take longer than 5 s.
        "timeout_worker_healthcheck": 30,
    }
    if workers <= 1:  # as uvicorn.run takes it: one server in this process
        uvicorn.run(ASGI_APP, **options)
        return
    from uvicorn.supervisors import Multiprocess

    from .worker_sockets import supervisor_socket

    try:
        listener = supervisor_socket(host, port)
    except OSError as exc:
        raise typer.BadParameter(f"cannot listen on {host}:{port}: {exc}") from exc
    # A listener per worker, so connections spread over them (worker_sockets.py).
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(uvicorn.Config(ASGI_APP, **options), sockets=[listener]).run()


@app.command()
def openapi(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout")] = None,
) -> None:
    """Print the OpenAPI spec (YAML when the file name ends in .yaml)."""
    from ..http.openapi_spec import render_spec

    text = render_spec(yaml_format=bool(out and out.suffix in {".yaml", ".yml"}))
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text)
