"""Registry's subscribers (imported by ``RegistryConfig.ready()``): run stored import jobs in Celery."""

from . import events, tasks


@events.import_job_queued.subscribe
def queue_import_job(*, job_id: int) -> None:
    tasks.run_import_job.delay(job_id)
