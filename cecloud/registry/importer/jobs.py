"""Back-office imports (ImportJob): create a job, run it in a task, report progress."""

from __future__ import annotations

import logging
import time
from pathlib import PurePosixPath

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from cecloud.core.audit import audit_log
from cecloud.core.errors import ServiceError
from cecloud.core.spreadsheet import RowError

from .. import events
from ..models import ImportJob
from .validation import PHASE_VALIDATE
from .writing import _is_postgres

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 20_000
PROGRESS_INTERVAL = 1.0  # seconds between progress writes to the ImportJob row


def job_file_name(job: ImportJob) -> str:
    return PurePosixPath(job.file.name or "").name


def import_job_create(*, upload, dry_run: bool, actor) -> ImportJob:
    """Store the uploaded file as an ImportJob and start the import task after commit."""
    with transaction.atomic():
        job = ImportJob.objects.create(file=upload, dry_run=dry_run, created_by=actor)
        audit_log(
            event_type="registry.import_started",
            actor=actor,
            subject=job,
            subject_repr=job_file_name(job),
            extra_data={"dry_run": dry_run, "file": job_file_name(job)},
        )
        events.import_job_queued.publish_on_commit(job_id=job.pk)
    return job


def import_job_create_from(*, job: ImportJob, actor) -> ImportJob:
    """导入 after a successful 仅校验: a real import of the same stored file."""
    if not job.dry_run or job.status != ImportJob.Status.DONE:
        raise ServiceError("只有校验通过的文件才能直接导入")
    with transaction.atomic():
        new = ImportJob.objects.create(file=job.file.name, dry_run=False, created_by=actor)
        audit_log(
            event_type="registry.import_started",
            actor=actor,
            subject=new,
            subject_repr=job_file_name(new),
            extra_data={"dry_run": False, "file": job_file_name(new), "validated_by_job": job.pk},
        )
        events.import_job_queued.publish_on_commit(job_id=new.pk)
    return new


class JobProgress:
    """Progress callback that stores processed/total rows on the ImportJob at most once a second.

    During the write phase the import's transaction is open on the default connection, where an
    update would only become visible at commit; on PostgreSQL the row is then updated through a
    second connection so the progress page keeps moving (SQLite has a single writer: skipped).
    """

    def __init__(self, job_id: int, *, interval: float = PROGRESS_INTERVAL):
        self.job_id = job_id
        self.interval = interval
        self.phase = ""
        self.last = 0.0
        self._side = None

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if phase == self.phase and now - self.last < self.interval:
            return
        self.phase, self.last = phase, now
        status = ImportJob.Status.VALIDATING if phase == PHASE_VALIDATE else ImportJob.Status.IMPORTING
        self.save(status=status, processed_rows=done, total_rows=total or 0)

    def save(self, **fields) -> None:
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(**fields)
            return
        if not _is_postgres():
            return
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            self._side.set_autocommit(True)
        table = connection.ops.quote_name(ImportJob._meta.db_table)
        sets = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in fields)
        with self._side.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*fields.values(), self.job_id])  # noqa: S608

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def _stored_errors(errors: list[RowError]) -> list[dict]:
    stored = [e.as_dict() for e in errors[:MAX_STORED_ERRORS]]
    if len(errors) > MAX_STORED_ERRORS:
        stored.append(
            {"row": 0, "column": "文件", "reason": f"错误过多：共{len(errors)}处，仅保存前{MAX_STORED_ERRORS}处"}
        )
    return stored


def import_job_run(*, job_id: int) -> str:
    """Run a pending ImportJob (the Celery task's body). Returns the final status."""
    started = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.VALIDATING
    )
    if not started:  # already run (a redelivered task) or deleted
        return ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first() or ""
    from cecloud.registry import importer  # the package: its registry_import, looked up at run time

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    progress = JobProgress(job_id)
    try:
        with job.file.open("rb") as fh:
            result = importer.registry_import(
                source=fh, dry_run=job.dry_run, actor=job.created_by, progress=progress, source_name=job_file_name(job)
            )
    except Exception:
        logger.exception("registry import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.ERROR,
            finished_at=timezone.now(),
            errors=[
                {"row": 0, "column": "文件", "reason": "系统错误，导入未完成，未写入任何数据。请稍后重试或联系技术支持"}
            ],
        )
        return ImportJob.Status.ERROR
    finally:
        progress.close()
    status = ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        total_rows=result.total_rows,
        processed_rows=result.total_rows,
        created_count=result.created,
        updated_count=result.updated,
        errors=_stored_errors(result.errors),
        finished_at=timezone.now(),
    )
    return status
