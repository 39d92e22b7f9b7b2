"""SQL for dependencies between work items."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, literal, select, union_all
from sqlalchemy.engine import RowMapping

from statusboard.domain.clock import iso
from statusboard.storage.repositories.rows import plain_dict
from statusboard.storage.tables import work_item_dependencies as d

DependencyRow = dict[str, Any]


def _record(row: RowMapping) -> DependencyRow:
    record = plain_dict(row)
    record["created_at"] = iso(record["created_at"])
    return record


def insert(conn: Connection, values: dict[str, Any]) -> DependencyRow:
    return _record(conn.execute(d.insert().values(**values).returning(*d.c)).mappings().one())


def get(conn: Connection, work_item_id: str, depends_on_id: str) -> DependencyRow | None:
    stmt = select(d).where(d.c.work_item_id == work_item_id, d.c.depends_on_id == depends_on_id)
    row = conn.execute(stmt).mappings().first()
    return None if row is None else _record(row)


def remove(conn: Connection, work_item_id: str, depends_on_id: str) -> DependencyRow | None:
    stmt = delete(d).where(d.c.work_item_id == work_item_id, d.c.depends_on_id == depends_on_id).returning(*d.c)
    row = conn.execute(stmt).mappings().first()
    return None if row is None else _record(row)


def precedes(conn: Connection, first: str, then: str) -> bool:
    """Whether `first` must already finish before `then`, through any chain of dependencies.

    `A depends_on B` and `B blocks A` both mean B comes before A.
    """
    edges = union_all(
        select(d.c.depends_on_id.label("before"), d.c.work_item_id.label("after")).where(
            d.c.dependency_type == "depends_on"
        ),
        select(d.c.work_item_id.label("before"), d.c.depends_on_id.label("after")).where(
            d.c.dependency_type == "blocks"
        ),
    ).subquery("edges")
    reach = select(literal(first).label("node")).cte("reach", recursive=True)
    reach = reach.union(select(edges.c.after).join(reach, edges.c.before == reach.c.node))
    stmt = select(literal(1)).select_from(reach).where(reach.c.node == then).limit(1)
    return conn.execute(stmt).first() is not None
