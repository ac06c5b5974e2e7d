"""Registry import from Excel (requirements S1, issue 2 item 7).

The file has one header row — 姓名, 身份证号, 手机号, 工作单位, 所属地区, 技术等级, 岗位, 在岗状态 —
and one person per row. ``registry_import`` reads it once, with openpyxl's read-only reader:

- every cell is normalised (full-width digits, stray spaces, lower-case x) and checked, and every
  problem is collected as ``RowError(row, column, message)`` (``core.spreadsheet``); the check uses precomputed lookups
  (regions, grades, units, cached ID-number partial sums) and never queries per row;
- clean rows go on in batches of ``BATCH_SIZE``: a **dry run** only counts what an import would
  create and update; a **real import** writes them in ONE transaction — on PostgreSQL while the
  file is still being read (a writer thread on the transaction's connection: units created in one
  statement, people by ``COPY``, updates through a temporary table, history by ``COPY``), on other
  databases after the whole file is checked (batches spooled to a temporary file). Existing
  people are fetched by ID number one batch at a time and updated with a ``PersonHistory`` row of
  the changed fields. Any bad row, in either mode, means nothing is written.

Progress is reported through ``progress(phase, processed_rows, total_rows)``; the caller
throttles what it stores (``JobProgress`` for the back office's ImportJob).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import PurePosixPath

from django.db import IntegrityError, transaction

from cecloud.core.spreadsheet import RowError

from ..models import Region
from ..template import COLUMNS
from .validation import (
    PHASE_IMPORT,
    PHASE_VALIDATE,
    PHASE_WRITE,
    CleanRow,
    ImportFileError,
    ImportResult,
    ProgressCallback,
    RegionLookup,
    RowValidator,
    Source,
    _is_blank,
    open_rows,
)
from .writing import _BackgroundWriter, _DryRunCounter, _is_postgres, _Spool, _Writer

BATCH_SIZE = 5000  # clean rows handed on (checked, written) at a time
PROGRESS_EVERY = 1000  # rows between progress calls


def _import_streaming(check: Callable, writer: _Writer, source_name: str) -> None:
    """PostgreSQL: the whole pass in one transaction (opened by the caller); batches are written
    by a thread while reading goes on."""
    background = _BackgroundWriter(writer)
    try:
        check(sink=background.write, phase=PHASE_IMPORT)
    finally:
        background.close()
    if writer.result.ok:
        writer.finish(source_name)
    else:
        transaction.set_rollback(True)


def _import_spooled(
    check: Callable,
    new_writer: Callable[[], _Writer],
    result: ImportResult,
    source_name: str,
    progress: ProgressCallback | None,
) -> None:
    """Other databases (SQLite: one writer at a time): check everything into a spool first, then
    write it in one short transaction."""
    with _Spool() as spool:
        check(sink=spool.write, phase=PHASE_VALIDATE)
        if not result.ok:
            return
        if progress:
            progress(PHASE_WRITE, 0, result.total_rows)
        with transaction.atomic():
            writer = new_writer()
            done = 0
            for batch in spool.read():
                writer.write(batch)
                done += len(batch)
                if progress:
                    progress(PHASE_WRITE, done, result.total_rows)
            writer.finish(source_name)


@contextmanager
def _bulk_gc():
    """While importing: many short-lived objects and hardly any reference cycles, so let the cyclic
    collector run less often, and not re-scan the objects that were alive before (gc.freeze)."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _validate(
    rows: Iterator[tuple],
    validator: RowValidator,
    result: ImportResult,
    *,
    total: int | None,
    sink: Callable[[list[CleanRow]], None],
    progress: ProgressCallback | None,
    phase: str,
) -> None:
    """Check every row; hand clean rows to ``sink`` in batches until the first bad row (after
    which nothing will be written, so the rest is only checked). Errors end up sorted by row."""
    errors = result.errors
    batch: list[CleanRow] = []
    count = 0
    validate = validator.validate
    if progress:
        progress(phase, 0, total)
    for row_no, values in enumerate(rows, start=2):
        if _is_blank(values):
            continue
        count += 1
        clean, row_errors = validate(row_no, values)
        if row_errors:
            errors.extend(row_errors)
            batch = []
        elif not errors:
            batch.append(clean)
            if len(batch) >= BATCH_SIZE:
                sink(batch)
                batch = []
        if progress and count % PROGRESS_EVERY == 0:
            progress(phase, count, total if total and total >= count else None)
    if batch and not errors:
        sink(batch)
    result.total_rows = count
    if count == 0 and not errors:
        errors.append(RowError(2, "文件", "文件中没有数据行"))
    errors.sort(key=lambda e: e.row)
    if progress:
        progress(phase, count, count)


def registry_import(
    *,
    source: Source,
    dry_run: bool,
    actor=None,
    progress: ProgressCallback | None = None,
    source_name: str = "",
) -> ImportResult:
    """Validate (and unless ``dry_run`` import) a registry spreadsheet. Never raises for bad input:
    problems come back in ``result.errors``; nothing is written when there is any.

    - dry run: one pass, no writes; counts what an import would create and update.
    - PostgreSQL: one pass inside one transaction; clean batches are written (COPY) while the
      file is still being read, so the server works alongside the reader; any bad row rolls
      everything back.
    - other databases (SQLite): one pass that spools clean batches to a temporary file, then
      one short transaction that writes them (SQLite has a single writer: keep it short).
    """
    result = ImportResult(dry_run=dry_run)
    if not source_name:
        name = getattr(source, "name", "") if hasattr(source, "read") else source
        source_name = PurePosixPath(str(name or "").replace("\\", "/")).name
    try:
        rows, total, workbook = open_rows(source)
    except ImportFileError as exc:
        result.errors.append(exc.error)
        return result
    regions = RegionLookup(Region.objects.order_by("code"))
    validator = RowValidator(regions)
    check = partial(_validate, rows, validator, result, total=total, progress=progress)
    try:
        with _bulk_gc():
            if dry_run:
                check(sink=_DryRunCounter(regions, result).count, phase=PHASE_VALIDATE)
            elif _is_postgres():
                with transaction.atomic():
                    _import_streaming(check, _Writer(regions, result, actor), source_name)
            else:
                _import_spooled(check, partial(_Writer, regions, result, actor), result, source_name, progress)
    except IntegrityError:
        result.errors.append(RowError(1, "文件", "导入时人员库被同时修改（身份证号冲突），未导入任何数据，请重新导入"))
    finally:
        workbook.close()
    if result.errors:
        result.created = result.updated = result.unchanged = result.units_created = 0
    return result


# Back-office jobs (ImportJob): imported last, they call registry_import through this package.
from .jobs import (  # noqa: E402
    MAX_STORED_ERRORS,
    JobProgress,
    import_job_create,
    import_job_create_from,
    import_job_run,
    job_file_name,
)

__all__ = [
    "BATCH_SIZE",
    "COLUMNS",
    "MAX_STORED_ERRORS",
    "PHASE_IMPORT",
    "PHASE_VALIDATE",
    "PHASE_WRITE",
    "ImportFileError",
    "ImportResult",
    "JobProgress",
    "RegionLookup",
    "RowError",
    "RowValidator",
    "import_job_create",
    "import_job_create_from",
    "import_job_run",
    "job_file_name",
    "open_rows",
    "registry_import",
]
