"""SQL for vendors. Names are looked up by their case-folded key."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from statusboard.domain.records import FormatFlags, Vendor, VendorMeta, VendorOutline
from statusboard.domain.status_markdown import VendorFacts
from statusboard.domain.vendors import FORMATS
from statusboard.storage.direct import Direct
from statusboard.storage.driver_sql import DriverStatement
from statusboard.storage.repositories.rows import STREAMED_ROWS, record_with_times, records
from statusboard.storage.tables import vendors as v

_TIMES = ("created_at", "updated_at")
_PUBLIC = [column for column in v.c if column.name != "name_key"]


def to_record(row: Mapping[Any, Any]) -> Vendor:
    record = record_with_times(row, _TIMES)
    record["operational"] = record["status"] == "operational"
    return cast(Vendor, record)


_INSERT = {
    name: dialect.insert(v).on_conflict_do_nothing(index_elements=[v.c.name_key]).returning(*_PUBLIC)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_BY_KEY = select(*_PUBLIC).where(v.c.name_key == bindparam("key"))


def insert(conn: Connection, values: Mapping[str, Any]) -> Vendor | None:
    """The new vendor, or None if the name is taken (in any case)."""
    row = conn.execute(_INSERT[conn.dialect.name], dict(values)).mappings().first()
    return None if row is None else to_record(row)


def by_key(conn: Connection, key: str) -> Vendor | None:
    row = conn.execute(_BY_KEY, {"key": key}).mappings().first()
    return None if row is None else to_record(row)


BY_KEY = DriverStatement(_BY_KEY, columns=_BY_KEY.selected_columns)  # query_vendor_status: a hot read (see driver_sql)
_PUBLIC_NAMES = [column.name for column in _PUBLIC]


def by_key_on(direct: Direct, key: str) -> Vendor | None:
    """`by_key` on a kept driver connection (`Database.read_direct`)."""
    rows = BY_KEY.rows_on(direct, {"key": key})
    return to_record(dict(zip(_PUBLIC_NAMES, rows[0], strict=True))) if rows else None


def conditional_update(conn: Connection, key: str, expected_version: int, values: Mapping[str, Any]) -> Vendor | None:
    stmt = (
        update(v)
        .where(v.c.name_key == key, v.c.version == expected_version)
        .values(**values, version=v.c.version + 1)
        .returning(*_PUBLIC)
    )
    row = conn.execute(stmt).mappings().first()
    return None if row is None else to_record(row)


def _with_operational(rows: list[dict[str, Any]]) -> list[Vendor]:
    for row in rows:
        row["operational"] = row["status"] == "operational"
    return cast(list[Vendor], rows)


def listing(conn: Connection, status: str | None = None) -> list[Vendor]:
    stmt = select(*_PUBLIC).order_by(v.c.name_key)
    if status is not None:
        stmt = stmt.where(v.c.status == status)
    return _with_operational(records(conn.execute(stmt), _TIMES))


_NUMBERS = (("test_results", "passing"), ("test_results", "total"), ("test_results", "skipped"))
_FLAGS = tuple(("format_support", name) for name in FORMATS)
# The metadata's fields are picked out by the database: decoding thousands of JSON
# documents in Python would cost more than the rest of the status file together.
_FACTS = select(  # in the order of VendorFacts
    v.c.name,
    v.c.status,
    *(v.c.metadata[path].as_integer() for path in _NUMBERS),
    *(v.c.metadata[path].as_boolean() for path in _FLAGS),
    v.c.extractor_version,
    v.c.metadata["manifest_compliant"].as_boolean(),
).order_by(v.c.name_key)
_OUTLINE = _FACTS.add_columns(v.c.id)


def outline(conn: Connection) -> list[VendorOutline]:
    """What the status file shows of every vendor, by name, with its metadata rebuilt."""
    vendors: list[VendorOutline] = []
    for name, status, passing, total, skipped, *flags, version, manifest, vendor_id in conn.execute(_OUTLINE).all():
        metadata: VendorMeta = {}
        if total is not None:
            metadata["test_results"] = {"passing": passing, "total": total, "skipped": skipped}
        if flags[0] is not None:
            metadata["format_support"] = cast(FormatFlags, dict(zip(FORMATS, flags, strict=True)))
        if version is not None:
            metadata["extractor_version"] = version
        if manifest is not None:
            metadata["manifest_compliant"] = manifest
        vendors.append({"id": vendor_id, "name": name, "status": status, "metadata": metadata})
    return vendors


def facts_by_id(conn: Connection, ids: Iterable[str] | None = None) -> Iterator[tuple[str, VendorFacts]]:
    """(id, what the status file shows) of every vendor, or of those with these ids, by name:
    `outline` flat, without the dicts.

    Read a few hundred rows at a time: when each row is gone by the time its line is
    written, thousands of rows never pile up for the garbage collector to promote (which
    made every few status builds pay for a full collection of the process)."""
    query = _OUTLINE if ids is None else _OUTLINE.where(v.c.id.in_(list(ids)))
    for rows in conn.execute(query).partitions(STREAMED_ROWS):
        for row in rows:
            yield str(row[-1]), VendorFacts._make(row[:-1])


def by_ids(conn: Connection, ids: Iterable[str]) -> dict[str, Vendor]:
    rows = records(conn.execute(select(*_PUBLIC).where(v.c.id.in_(list(ids)))), _TIMES)
    return {row["id"]: row for row in _with_operational(rows)}


def by_keys(conn: Connection, keys: Iterable[str]) -> dict[str, Vendor]:
    stmt = select(v.c.name_key, *_PUBLIC).where(v.c.name_key.in_(list(keys)))
    return {key: to_record(dict(zip(_PUBLIC_NAMES, values, strict=True))) for key, *values in conn.execute(stmt)}


def counts_by_status(conn: Connection) -> dict[str, int]:
    stmt = select(v.c.status, func.count()).group_by(v.c.status)
    return {str(status): int(count) for status, count in conn.execute(stmt)}
