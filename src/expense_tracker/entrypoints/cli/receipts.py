"""`gc`: remove receipt files that nothing needs any more."""

from __future__ import annotations

import typer

from .base import DataDir, app, settings_for


@app.command()
def gc(
    data_dir: DataDir = None,
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would go; remove nothing"),
) -> None:
    """Remove orphaned receipt files (uploads never confirmed, files no expense uses) and
    export files older than 24 hours."""
    from ...bootstrap import build_container
    from ...ports import ReceiptInventory
    from ...ports.exports import EXPORT_RETENTION
    from ...services.receipts import collect_garbage

    container = build_container(settings_for(data_dir))
    try:
        if not isinstance(container.receipts, ReceiptInventory):
            typer.echo("This receipt store collects its own garbage (S3: a lifecycle rule).")
            raise typer.Exit(1)
        result = collect_garbage(
            store=container.store,
            inventory=container.receipts,
            clock=container.clock,
            dry_run=dry_run,
        )
        old_exports = (
            0 if dry_run else container.exports.sweep(container.clock.now() - EXPORT_RETENTION)
        )
    finally:
        container.close()
    for key in result.removed:
        typer.echo(f"{'would remove' if dry_run else 'removed'} {key}")
    typer.echo(
        f"{len(result.removed)} orphaned, {result.kept} kept, "
        f"{result.scratch} leftovers swept, {result.unrecognised} unrecognised, "
        f"{old_exports} expired export files removed"
    )
