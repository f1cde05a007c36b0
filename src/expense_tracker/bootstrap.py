"""Settings -> wired services. Picks the local (SQLite, files) or the AWS adapters.

Each deployment's wiring lives in its own adapters sub-package; this module only picks one, and
imports it lazily so the Lambda package never loads a local adapter."""

from __future__ import annotations

from .config import Settings
from .container import Container
from .domain.errors import ConfigurationError
from .domain.imports import IMPORT_KIND
from .ports.jobs import Continue, Job, JobData, JobHandler, JobReporter

__all__ = ["Container", "build_container"]


def build_container(settings: Settings) -> Container:
    container = _build_for_place(settings)
    container.jobs.bind(job_handlers(container))
    return container


def job_handlers(container: Container) -> dict[str, JobHandler]:
    """Each kind of job and the service function that does it, bound to this container. The
    services are imported by the first job of their kind: the API's Lambda, which builds this
    container at every cold start, runs no job (its worker function does)."""
    c = container

    def export(job: Job, reporter: JobReporter) -> JobData:
        from .services.exports import ExportDeps, run_export

        deps = ExportDeps(c.store, c.receipts, c.exports, c.rates, c.profiles, c.clock)
        return run_export(job, reporter, deps=deps)

    def import_(job: Job, reporter: JobReporter) -> JobData | Continue:
        from .services.import_job import ImportDeps, run_import

        deps = ImportDeps(c.ledger, c.rules, c.receipts, c.profiles, c.clock)
        return run_import(job, reporter, deps=deps)

    def recurring(job: Job, reporter: JobReporter) -> JobData:
        from .services.recurring import run_recurring_job

        return run_recurring_job(job, reporter, store=c.store, plans=c.plans, clock=c.clock)

    def scan(job: Job, reporter: JobReporter) -> JobData:
        from .services.scans import run_scan

        return run_scan(job, reporter, receipts=c.receipts, reader=c.reader, profiles=c.profiles)

    return {
        "export": export,
        IMPORT_KIND: import_,
        "recurring": recurring,
        "scan": scan,
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
