"""SQL for dependencies between work items."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, literal, or_, select, union_all
from sqlalchemy.engine import RowMapping

from statusboard.domain.clock import iso
from statusboard.storage.repositories.rows import plain_dict
from statusboard.storage.repositories.work_items import to_record
from statusboard.storage.tables import work_item_dependencies as d
from statusboard.storage.tables import work_items as w

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


_DEP_NAMES = [str(column.name) for column in d.c]
_ITEM_NAMES = [str(column.name) for column in w.c]
_DEP_COLUMNS = [column.label(f"dep_{column.name}") for column in d.c]
_other_end = case((d.c.work_item_id == bindparam("id"), d.c.depends_on_id), else_=d.c.work_item_id)
_TOUCHING = (
    select(*_DEP_COLUMNS, *w.c)
    .join(w, w.c.id == _other_end)
    .where(or_(d.c.work_item_id == bindparam("id"), d.c.depends_on_id == bindparam("id")))
    .order_by(d.c.created_at, d.c.id)
)


def touching(conn: Connection, item_id: str) -> list[tuple[DependencyRow, dict[str, Any]]]:
    """Each dependency of the item, in or out, with the work item at its other end."""
    pairs = []
    for row in conn.execute(_TOUCHING, {"id": item_id}).mappings():
        link = {name: row[f"dep_{name}"] for name in _DEP_NAMES}
        link["created_at"] = iso(link["created_at"])
        pairs.append((link, to_record({name: row[name] for name in _ITEM_NAMES})))
    return pairs


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
