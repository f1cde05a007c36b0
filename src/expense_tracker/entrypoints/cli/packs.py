"""`verify-pack PACK.zip`: check an evidence pack the way an accountant's tool would."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from .base import app


@app.command("verify-pack")
def verify_pack(
    pack: Annotated[Path, typer.Argument(help="The evidence pack (.zip) to check")],
) -> None:
    """Check every file's SHA-256 and size against the manifest, and that every expense with a
    receipt has its file in the pack. Exit code 0 when all is well, 1 otherwise."""
    from ...services.pack_check import verify_pack as check

    console = Console()
    report = check(pack)
    for problem in report.problems:
        console.print(f"[red]✗[/red] {escape(problem)}", highlight=False)
    summary = (
        f"{report.files_checked} files hashed, {report.expenses} expenses, "
        f"{report.receipts_checked} receipts present"
    )
    if report.ok:
        console.print(f"[green]✓[/green] {escape(str(pack))}: intact ({summary})", highlight=False)
        return
    console.print(
        f"[red]{escape(str(pack))}: {len(report.problems)} problem(s)[/red] ({summary})",
        highlight=False,
    )
    raise typer.Exit(1)
