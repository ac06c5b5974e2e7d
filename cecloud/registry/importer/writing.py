"""Writing checked rows: existing people and units, COPY / bulk writes, the writer thread."""

from __future__ import annotations

import pickle
import queue
import tempfile
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from cecloud.core.audit import audit_log

from ..models import Person, Unit
from ..services import person_history_record
from .validation import CleanRow, ImportResult, RegionLookup, _unit_key

HISTORY_SOURCE = "import"
QUERY_CHUNK = 5000  # ID numbers per lookup query (fewer where the database limits parameters)


class _Spool:
    """Clean rows in pickled batches in a temporary file: flat memory for any file size."""

    def __init__(self):
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.batches = 0

    def write(self, batch: list[CleanRow]) -> None:
        pickle.dump([tuple(r) for r in batch], self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.batches += 1

    def read(self) -> Iterator[list[CleanRow]]:
        self.file.seek(0)
        for _ in range(self.batches):
            yield [CleanRow(*r) for r in pickle.load(self.file)]  # noqa: S301 - our own temporary file

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- Existing people and units --------------------------------------------------------------------------
# PostgreSQL gets set-based SQL (``= ANY(array)``, ``COPY``); other databases (SQLite) use the ORM.
_EXISTING_FIELDS = ("id_number", "id", "name", "phone", "unit_id", "unit__region_id", "unit__name")
_EXISTING_FIELDS += ("region_id", "grade", "post", "status")
_PERSON = Person._meta.db_table
_UNIT = Unit._meta.db_table
_EXISTING_SQL = f"""
    SELECT p.id_number, p.id, p.name, p.phone, p.unit_id, u.region_id, u.name, p.region_id, p.grade, p.post, p.status
    FROM {_PERSON} p JOIN {_UNIT} u ON u.id = p.unit_id
    WHERE p.id_number = ANY(%s)
"""  # noqa: S608 - table names from model metadata


_thread = threading.local()


def _db():
    """The connection the import writes through: the caller's, or the one a writer thread was given."""
    return getattr(_thread, "connection", None) or connection


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _max_params() -> int:
    limit = getattr(connection.features, "max_query_params", None) or QUERY_CHUNK
    return max(100, min(QUERY_CHUNK, limit - 10))


def _existing_people(id_numbers: list[str]) -> dict[str, tuple]:
    """ID number -> (id_number, pk, name, phone, unit_id, unit region, unit name, region_id, grade, post, status)."""
    if _is_postgres():
        with _db().cursor() as cursor:
            cursor.execute(_EXISTING_SQL, [id_numbers])
            return {row[0]: row for row in cursor.fetchall()}
    found: dict[str, tuple] = {}
    step = _max_params()
    for start in range(0, len(id_numbers), step):
        chunk = id_numbers[start : start + step]
        for values in Person.objects.filter(id_number__in=chunk).values_list(*_EXISTING_FIELDS).order_by():
            found[values[0]] = values
    return found


class UnitResolver:
    """Existing units by (region, name) — the rule of ``selectors.find_unit``: the unit of that name
    in the region, else the only one of that name in the same city (a city-level unit is often
    written with a county as the region, and vice versa). Names match by ``_unit_key``."""

    def __init__(self, city_of: dict[int, int | None]):
        self.city_of = city_of
        self.exact: dict[tuple[int, str], int] = {}
        self.in_city: dict[tuple[int, str], set[int]] = {}
        self.names: dict[int, str] = {}
        self.placed: dict[int, tuple[int, str]] = {}  # placeholder -> (region id, key)
        self._next_placeholder = 0
        for pk, region_id, name in Unit.objects.values_list("id", "region_id", "name").order_by("id"):
            self._add(pk, region_id, name)

    def reserve(self, region_id: int, name: str) -> int:
        """A placeholder (negative id) for a unit about to be created; later rows resolve to it."""
        self._next_placeholder -= 1
        placeholder = self._next_placeholder
        self._add(placeholder, region_id, name)
        return placeholder

    def confirm(self, placeholder: int, pk: int) -> None:
        """The placeholder's unit now exists with this primary key."""
        name = self.names.pop(placeholder)
        region_id, key = self.placed.pop(placeholder)
        self.exact[(region_id, key)] = pk
        self.names[pk] = name
        city = self.city_of.get(region_id)
        if city is not None:
            self.in_city[(city, key)].discard(placeholder)
            self.in_city[(city, key)].add(pk)

    def _add(self, pk: int, region_id: int, name: str) -> None:
        key = _unit_key(name)
        self.exact.setdefault((region_id, key), pk)
        self.names[pk] = name
        if pk < 0:
            self.placed[pk] = (region_id, key)
        city = self.city_of.get(region_id)
        if city is not None:
            self.in_city.setdefault((city, key), set()).add(pk)

    def resolve(self, region_id: int, key: str) -> int | None:
        found = self.exact.get((region_id, key))
        if found is None:
            city = self.city_of.get(region_id)
            candidates = self.in_city.get((city, key), ()) if city is not None else ()
            if len(candidates) == 1:
                found = next(iter(candidates))
        return found


def _diff(old: tuple, new: CleanRow, unit_id: int | None, units: UnitResolver, full_names: dict[int, str]):
    """(before, after) of the changed fields only, in the layout of ``services.person_snapshot``."""
    _id, _pk, name, phone, old_unit_id, _unit_region, unit_name, region_id, grade, post, status = old
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if name != new.name:
        before["name"], after["name"] = name, new.name
    if phone != new.phone:
        before["phone"], after["phone"] = phone, new.phone
    if old_unit_id != unit_id:
        before["unit"], after["unit"] = unit_name, units.names.get(unit_id, new.unit[1])
        before["unit_id"], after["unit_id"] = old_unit_id, unit_id
    if region_id != new.region_id:
        before["region"], after["region"] = full_names.get(region_id, ""), full_names.get(new.region_id, "")
        before["region_id"], after["region_id"] = region_id, new.region_id
    if grade != new.grade:
        before["grade"], after["grade"] = grade, new.grade
    if post != new.post:
        before["post"], after["post"] = post, new.post
    if status != new.status:
        before["status"], after["status"] = status, new.status
    return before, after


# --- Phase 2: writing --------------------------------------------------------------------------------------
_PERSON_COLUMNS = ("name", "id_number", "phone", "unit_id", "region_id", "grade", "post", "status")
_UPDATE_COLUMNS = ("id", "name", "phone", "unit_id", "region_id", "grade", "post", "status")
_UPDATE_TABLE = "registry_import_person_update"


def _copy(table: str, columns: Iterable[str], rows: Iterable[tuple]) -> None:
    """PostgreSQL COPY FROM STDIN through Django's connection (inside the current transaction)."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with _db().cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _insert_people(rows: list[tuple], now) -> None:
    """rows: tuples in _PERSON_COLUMNS order."""
    if not rows:
        return
    if _is_postgres():
        _copy(_PERSON, (*_PERSON_COLUMNS, "created_at", "updated_at"), ((*row, now, now) for row in rows))
        return
    Person.objects.bulk_create([Person(**dict(zip(_PERSON_COLUMNS, row, strict=True))) for row in rows])


def _update_people(rows: list[tuple], now) -> None:
    """rows: tuples in _UPDATE_COLUMNS order (pk first)."""
    if not rows:
        return
    if _is_postgres():
        sets = ", ".join(f"{c} = u.{c}" for c in _UPDATE_COLUMNS[1:])
        with _db().cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {_UPDATE_TABLE} (id bigint PRIMARY KEY, name text, phone text,"
                " unit_id bigint, region_id bigint, grade text, post text, status text) ON COMMIT DROP"
            )
            cursor.execute(f"TRUNCATE {_UPDATE_TABLE}")
        _copy(_UPDATE_TABLE, _UPDATE_COLUMNS, rows)
        with _db().cursor() as cursor:
            cursor.execute(
                f"UPDATE {_PERSON} p SET {sets}, updated_at = %s FROM {_UPDATE_TABLE} u WHERE p.id = u.id",  # noqa: S608
                [now],
            )
        return
    people = []
    for values in rows:
        person = Person(updated_at=now)
        for attname, value in zip(_UPDATE_COLUMNS, values, strict=True):
            setattr(person, attname, value)
        people.append(person)
    fields = [c.removesuffix("_id") for c in _UPDATE_COLUMNS[1:]] + ["updated_at"]
    Person.objects.bulk_update(people, fields, batch_size=1000)


def _record_history(entries: list[tuple[int, dict, dict]], actor, now) -> None:
    if entries:
        copy = _copy if _is_postgres() else None
        person_history_record(entries, source=HISTORY_SOURCE, actor=actor, changed_at=now, copy=copy)


def _create_units(units: list[tuple[int, str, str]], now) -> list[tuple[int, int, str]]:
    """Insert these units (region id, name, key); returns (pk, region id, name) of each."""
    kind = Unit._meta.get_field("kind").default
    if _is_postgres():
        with _db().cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_UNIT} (region_id, name, kind, credit_code, created_at)"  # noqa: S608
                " SELECT r, n, %s, '', %s FROM unnest(%s::bigint[], %s::text[]) AS t(r, n) RETURNING id, region_id, name",
                [kind, now, [u[0] for u in units], [u[1] for u in units]],
            )
            return cursor.fetchall()
    created = Unit.objects.bulk_create(
        [Unit(region_id=region_id, name=name, kind=kind) for region_id, name, _k in units]
    )
    if all(u.pk is not None for u in created):
        return [(u.pk, u.region_id, u.name) for u in created]
    wanted = {(u[0], u[1]) for u in units}  # a backend that cannot return ids from a bulk insert
    found = Unit.objects.filter(name__in={u[1] for u in units}).values_list("id", "region_id", "name")
    return [row for row in found if (row[1], row[2]) in wanted]


def _lock_registry_import() -> None:
    """One import writes at a time (two imports of the same new person would collide)."""
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x7265_6769])  # "regi"


class _Writer:
    """Writes clean batches inside the caller's transaction: new units, new people, changed people
    with their history. Existing people are fetched by ID number one batch at a time."""

    def __init__(self, regions: RegionLookup, result: ImportResult, actor):
        _lock_registry_import()
        self.regions = regions
        self.result = result
        self.actor = actor
        self.now = timezone.now()
        self.resolver = UnitResolver(regions.city_of)
        self.unit_ids: dict[tuple[int, str], int] = {}
        # Nobody can add people while the import holds the lock, except through the unique index
        # (which fails the import cleanly), so an empty registry needs no lookups.
        self.registry_empty = not Person.objects.exists()

    def _resolve_units(self, batch: list[CleanRow]) -> None:
        """Unit ids for the batch's rows; units no existing one matches are created (one statement)."""
        unit_ids = self.unit_ids
        resolver = self.resolver
        waiting: dict[int, list[tuple[int, str]]] = {}
        for r in batch:
            key = (r.unit[0], r.unit[2])
            if key in unit_ids:
                continue
            pk = resolver.resolve(*key)
            if pk is None:
                pk = resolver.reserve(r.unit[0], r.unit[1])
                waiting[pk] = []
            unit_ids[key] = pk
            if pk < 0:
                waiting[pk].append(key)
        if not waiting:
            return
        new_units = [(resolver.placed[p][0], resolver.names[p], "") for p in waiting]
        created = {(region_id, name): pk for pk, region_id, name in _create_units(new_units, self.now)}
        for placeholder, keys in waiting.items():
            pk = created[(resolver.placed[placeholder][0], resolver.names[placeholder])]
            resolver.confirm(placeholder, pk)
            for key in keys:
                unit_ids[key] = pk
        self.result.units_created += len(waiting)

    def write(self, batch: list[CleanRow]) -> None:
        self._resolve_units(batch)
        unit_ids = self.unit_ids
        existing = {} if self.registry_empty else _existing_people([r.id_number for r in batch])
        inserts, updates, history = [], [], []
        for r in batch:
            unit_id = unit_ids[(r.unit[0], r.unit[2])]
            old = existing.get(r.id_number)
            if old is None:
                inserts.append((r.name, r.id_number, r.phone, unit_id, r.region_id, r.grade, r.post, r.status))
                continue
            before, after = _diff(old, r, unit_id, self.resolver, self.regions.full_names)
            if not after:
                self.result.unchanged += 1
                continue
            updates.append((old[1], r.name, r.phone, unit_id, r.region_id, r.grade, r.post, r.status))
            history.append((old[1], before, after))
        _insert_people(inserts, self.now)
        _update_people(updates, self.now)
        _record_history(history, self.actor, self.now)
        self.result.created += len(inserts)
        self.result.updated += len(updates)

    def finish(self, source_name: str) -> None:
        result = self.result
        audit_log(
            event_type="registry.imported",
            actor=self.actor,
            subject_type="registry.person",
            subject_repr=source_name[:200],
            extra_data={
                "file": source_name,
                "rows": result.total_rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "units_created": result.units_created,
            },
        )


class _BackgroundWriter:
    """PostgreSQL: a thread hands the batches to ``_Writer`` through the transaction's own
    connection while this thread goes on reading the file, so reading and writing overlap (the
    database works in its own process; the thread mostly waits on the socket). This thread does
    not touch the connection until ``close()``; progress reports use a separate connection."""

    def __init__(self, writer: _Writer):
        self.writer = writer
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.queue: queue.Queue[list[CleanRow] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.connection.inc_thread_sharing()
        self.thread = threading.Thread(target=self._run, name="registry-import-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        _thread.connection = self.connection
        try:
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        self.writer.write(batch)
                    except BaseException as exc:  # re-raised by close() in the importing thread
                        self.error = exc
        finally:
            _thread.connection = None

    def write(self, batch: list[CleanRow]) -> None:
        if self.error is None:
            self.queue.put(batch)

    def close(self) -> None:
        """Wait for the queued batches; raise what the writer raised."""
        self.queue.put(None)
        self.thread.join()
        self.connection.dec_thread_sharing()
        if self.error is not None:
            raise self.error


class _DryRunCounter:
    """What a real import would do, counted batch by batch against the registry as it is now."""

    def __init__(self, regions: RegionLookup, result: ImportResult):
        self.regions = regions
        self.result = result
        self.resolver = UnitResolver(regions.city_of)
        self.unit_ids: dict[tuple[int, str], int | None] = {}

    def unit_id(self, unit: tuple[int, str, str]) -> int:
        key = (unit[0], unit[2])
        pk = self.unit_ids.get(key)
        if pk is None:
            pk = self.resolver.resolve(*key)
            if pk is None:  # the import would create it (a placeholder, as the writer does)
                pk = self.resolver.reserve(unit[0], unit[1])
                self.result.units_created += 1
            self.unit_ids[key] = pk
        return pk

    def count(self, batch: list[CleanRow]) -> None:
        result = self.result
        existing = _existing_people([r.id_number for r in batch])
        for r in batch:
            unit_id = self.unit_id(r.unit)
            old = existing.get(r.id_number)
            if old is None:
                result.created += 1
            elif _diff(old, r, unit_id, self.resolver, self.regions.full_names)[1]:
                result.updated += 1
            else:
                result.unchanged += 1
