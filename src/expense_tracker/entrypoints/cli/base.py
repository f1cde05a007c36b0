"""The Typer app and the options every command shares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ...config import Settings

app = typer.Typer(no_args_is_help=True, help="A multi-user expense tracker.")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="EXPENSE_TRACKER_DATA_DIR", help="Where data is kept"),
]


def settings_for(data_dir: Path | None) -> Settings:
    return Settings(data_dir=data_dir) if data_dir else Settings()
