"""SQL for enhancements and their depends_on links."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, and_, delete, select, update

from statusboard.domain.records import Enhancement, EnhancementOutline, ReportedEnhancement
from statusboard.storage.repositories.rows import record_with_times, records
from statusboard.storage.tables import enhancement_dependencies as ed
from statusboard.storage.tables import enhancements as e

_TIMES = ("created_at", "updated_at")


def insert(conn: Connection, values: Mapping[str, Any]) -> None:
    conn.execute(e.insert().values(**values))


def get(conn: Connection, enhancement_id: str) -> Enhancement | None:
    row = conn.execute(select(e).where(e.c.id == enhancement_id)).mappings().first()
    return None if row is None else cast(Enhancement, _with_links(conn, [record_with_times(row, _TIMES)])[0])


def existing_ids(conn: Connection, ids: Iterable[str]) -> set[str]:
    return {str(found) for found in conn.execute(select(e.c.id).where(e.c.id.in_(list(ids)))).scalars()}


def conditional_update(conn: Connection, enhancement_id: str, expected_version: int, values: Mapping[str, Any]) -> bool:
    stmt = (
        update(e)
        .where(e.c.id == enhancement_id, e.c.version == expected_version)
        .values(**values, version=e.c.version + 1)
    )
    return conn.execute(stmt).rowcount == 1


def replace_links(conn: Connection, enhancement_id: str, depends_on: list[str]) -> None:
    conn.execute(delete(ed).where(ed.c.enhancement_id == enhancement_id))
    if depends_on:
        conn.execute(ed.insert(), [{"enhancement_id": enhancement_id, "depends_on_id": d} for d in depends_on])


def all_links(conn: Connection) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for source, target in conn.execute(select(ed.c.enhancement_id, ed.c.depends_on_id)):
        edges.setdefault(source, set()).add(target)
    return edges


def listing(
    conn: Connection,
    *,
    priority: str | None = None,
    status: str | None = None,
    target_quarter: str | None = None,
) -> list[Enhancement]:
    conditions: list[ColumnElement[bool]] = []
    for column, value in ((e.c.priority, priority), (e.c.status, status), (e.c.target_quarter, target_quarter)):
        if value is not None:
            conditions.append(column == value)
    stmt = select(e).where(and_(True, *conditions)).order_by(e.c.created_at, e.c.id)
    return cast(list[Enhancement], _with_links(conn, records(conn.execute(stmt), _TIMES)))


_OUTLINE = select(
    e.c.id, e.c.title, e.c.description, e.c.priority, e.c.status, e.c.target_quarter, e.c.requires_principles
).order_by(e.c.created_at, e.c.id)


def outline(conn: Connection) -> list[EnhancementOutline]:
    """What the status file shows of each enhancement, in the order they were planned."""
    return cast(list[EnhancementOutline], _with_links(conn, records(conn.execute(_OUTLINE))))


def reported(conn: Connection, statuses: tuple[str, ...]) -> list[ReportedEnhancement]:
    """What the status report shows of each enhancement of these statuses, in the order they were planned."""
    stmt = _OUTLINE.add_columns(e.c.version).where(e.c.status.in_(statuses))
    return cast(list[ReportedEnhancement], _with_links(conn, records(conn.execute(stmt))))


def _with_links(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adds each enhancement's depends_on ids, in a stable order."""
    if not rows:
        return rows
    ids = [row["id"] for row in rows]
    stmt = select(ed.c.enhancement_id, ed.c.depends_on_id).order_by(ed.c.depends_on_id)
    if len(ids) <= 500:
        stmt = stmt.where(ed.c.enhancement_id.in_(ids))
    links: dict[str, list[str]] = {}
    for source, target in conn.execute(stmt):
        links.setdefault(source, []).append(target)
    return [{**row, "depends_on": links.get(row["id"], [])} for row in rows]
