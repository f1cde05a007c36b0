"""`export` and `import`: a user's expenses to and from a file, through the same services as
the API (same CSV format, same validation, same all-or-nothing rule)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ...container import Container
from ...domain.csv_format import LineError
from ...domain.errors import PayloadTooLarge
from ...domain.expense import ExpenseFilter
from ...services import transfer as svc
from ...services.expenses import check_range
from ...services.home_column import export_csv_with_home
from .base import DataDir, app
from .users import account_of, open_container

CHUNK = 256 * 1024
SHOWN_ERRORS = 20


class Format(StrEnum):
    csv = "csv"
    json = "json"


User = Annotated[str, typer.Option("--user", help="The account's e-mail")]
DAY = ["%Y-%m-%d"]


@app.command()
def export(
    user: User,
    out: Annotated[Path, typer.Option("--out", help="The file to write", dir_okay=False)],
    format: Annotated[Format, typer.Option(help="csv (the default) or json")] = Format.csv,
    date_from: Annotated[
        datetime | None, typer.Option("--from", formats=DAY, help="Inclusive, YYYY-MM-DD")
    ] = None,
    date_to: Annotated[
        datetime | None, typer.Option("--to", formats=DAY, help="Inclusive, YYYY-MM-DD")
    ] = None,
    category: Annotated[str | None, typer.Option(help="Only this category")] = None,
    q: Annotated[str | None, typer.Option(help="Text in description or category")] = None,
    home: Annotated[
        bool,
        typer.Option(
            "--home",
            help="CSV: add home_amount and home_currency columns (each amount in the account's "
            "home currency at its date's ECB rate; empty where the ECB has none)",
        ),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Write a user's expenses to a file, in the API's export format (newest first)."""
    if home and format is Format.json:
        raise typer.BadParameter("--home adds a CSV column: use it with --format csv")
    filters = ExpenseFilter(
        date_from.date() if date_from else None, date_to.date() if date_to else None, category, q
    )
    with open_container(data_dir) as container:
        check_range(filters.date_from, filters.date_to)
        user_id = account_of(container, user).user_id
        _write_atomically(out, _export_chunks(container, user_id, filters, format, home))
    Console().print(f"Exported to {out} ({out.stat().st_size} bytes).")


def _export_chunks(
    container: Container, user_id: str, filters: ExpenseFilter, format: Format, home: bool
) -> Iterator[bytes]:
    if home:
        lines = export_csv_with_home(
            store=container.store,
            rates=container.rates,
            profiles=container.profiles,
            user_id=user_id,
            filters=filters,
        )
        return (line.encode() for line in lines)
    exporter = svc.export_json if format is Format.json else svc.export_csv
    return exporter(store=container.store, user_id=user_id, filters=filters)


def _write_atomically(out: Path, chunks: Iterator[bytes]) -> None:
    """Write beside the target, then rename: a failed export never leaves half a file."""
    partial = out.with_name(out.name + ".partial")
    try:
        with partial.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def _read_with_progress(path: Path, progress: Progress) -> bytes:
    size = path.stat().st_size
    if size > svc.MAX_IMPORT_BYTES:  # refuse before reading a huge file into memory
        raise PayloadTooLarge("The file must be at most 10 MB")
    task = progress.add_task("Reading", total=size)
    parts: list[bytes] = []
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            parts.append(chunk)
            progress.advance(task, len(chunk))
    return b"".join(parts)


def _show_errors(console: Console, errors: list[LineError], count: int) -> None:
    table = Table("Line", "Problem", title="Lines that were not imported")
    for error in errors[:SHOWN_ERRORS]:
        table.add_row(str(error.line), error.message)
    console.print(table)
    if count > SHOWN_ERRORS:
        console.print(f"... and {count - SHOWN_ERRORS} more.")


@app.command("import")
def import_(
    user: User,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A CSV file")],
    partial: Annotated[
        bool, typer.Option(help="Import the good lines even when some are bad")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Add expenses from a CSV in the export's format (the id column is ignored).

    All or nothing: with any bad line nothing is imported, unless --partial."""
    console = Console()
    with open_container(data_dir) as container:
        user_id = account_of(container, user).user_id
        columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn())
        with Progress(*columns, DownloadColumn(), TimeElapsedColumn(), console=console) as bar:
            data = _read_with_progress(file, bar)
            task = bar.add_task("Checking and saving", total=None)
            result = svc.import_csv(
                store=container.store,
                clock=container.clock,
                profiles=container.profiles,
                user_id=user_id,
                data=data,
                partial=partial,
            )
            bar.update(task, total=1, completed=1)
    if result.errors:
        _show_errors(console, result.errors, result.error_count)
    console.print(f"Imported {result.imported} expense(s) for {user}.")
    if result.errors and not result.imported:
        raise typer.Exit(1)
