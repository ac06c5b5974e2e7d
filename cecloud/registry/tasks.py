"""Registry background jobs (Celery): the back-office import of the personnel registry."""

from __future__ import annotations

from celery import shared_task

from .importer import import_job_run


@shared_task(name="registry.run_import_job")
def run_import_job(job_id: int) -> str:
    """Validate or import the ImportJob's file; the job row carries progress, errors and counts."""
    return import_job_run(job_id=job_id)
