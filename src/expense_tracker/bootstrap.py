"""Settings -> wired services. Picks the local (SQLite, files) or the AWS adapters.

Each deployment's wiring lives in its own adapters sub-package; this module only picks one, and
imports it lazily so the Lambda package never loads a local adapter."""

from __future__ import annotations

from functools import partial

from .config import Settings
from .container import Container
from .domain.errors import ConfigurationError
from .domain.imports import IMPORT_KIND
from .ports.jobs import JobHandler
from .services.exports import ExportDeps, run_export
from .services.import_job import ImportDeps, run_import
from .services.recurring import run_recurring_job
from .services.scans import run_scan

__all__ = ["Container", "build_container"]


def build_container(settings: Settings) -> Container:
    container = _build_for_place(settings)
    container.jobs.bind(job_handlers(container))
    return container


def job_handlers(container: Container) -> dict[str, JobHandler]:
    """Each kind of job and the service function that does it, bound to this container."""
    c = container
    exports = ExportDeps(c.store, c.receipts, c.exports, c.rates, c.profiles, c.clock)
    imports = ImportDeps(c.ledger, c.rules, c.receipts, c.profiles, c.clock)
    return {
        "export": partial(run_export, deps=exports),
        IMPORT_KIND: partial(run_import, deps=imports),
        "recurring": partial(run_recurring_job, store=c.store, plans=c.plans, clock=c.clock),
        "scan": partial(run_scan, receipts=c.receipts, reader=c.reader, profiles=c.profiles),
        **c.adapter_jobs,
    }


def _build_for_place(settings: Settings) -> Container:
    if settings.backend == "aws":
        missing = settings.missing_for_aws()
        if missing:
            names = ", ".join(f"EXPENSE_TRACKER_{m.upper()}" for m in missing)
            raise ConfigurationError(f"The AWS backend needs these settings: {names}")
        from .adapters.aws.wiring import build_aws_container

        return build_aws_container(settings)
    from .adapters.local.wiring import build_local_container

    return build_local_container(settings)
