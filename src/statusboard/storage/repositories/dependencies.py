"""SQL for dependencies between work items."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, delete, literal, select, union_all

from statusboard.domain.clock import iso
from statusboard.domain.entities import Dependency
from statusboard.storage.repositories.rows import as_dict, column_names
from statusboard.storage.tables import work_item_dependencies as d

COLUMNS = column_names(d.c)


def to_record(values: Sequence[Any]) -> Dependency:
    """A dependency as a JSON-ready dict, from its columns in table order."""
    record = as_dict(COLUMNS, values)
    record["created_at"] = iso(record["created_at"])
    return cast(Dependency, record)


def insert(conn: Connection, values: Mapping[str, Any]) -> Dependency:
    return to_record(conn.execute(d.insert().values(**values).returning(*d.c)).one())


def get(conn: Connection, work_item_id: str, depends_on_id: str) -> Dependency | None:
    stmt = select(d).where(d.c.work_item_id == work_item_id, d.c.depends_on_id == depends_on_id)
    row = conn.execute(stmt).first()
    return None if row is None else to_record(row)


def remove(conn: Connection, work_item_id: str, depends_on_id: str) -> Dependency | None:
    stmt = delete(d).where(d.c.work_item_id == work_item_id, d.c.depends_on_id == depends_on_id).returning(*d.c)
    row = conn.execute(stmt).first()
    return None if row is None else to_record(row)


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
