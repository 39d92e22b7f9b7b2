"""One statement for what query_work_item shows of an item: itself, its ancestors, its dependencies.

The item and its ancestors come from a recursive walk up parent_id (each step a
primary-key lookup); each dependency, in or out, comes joined to the item at its
other end. Both halves share one result shape, so the whole view costs one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CompoundSelect, Connection, bindparam, case, null, or_, select, union_all

from statusboard.domain.entities import Dependency, WorkItem
from statusboard.storage.direct import Direct
from statusboard.storage.driver_sql import DriverStatement
from statusboard.storage.repositories import dependencies
from statusboard.storage.repositories.work_items import to_record
from statusboard.storage.tables import work_item_dependencies as d
from statusboard.storage.tables import work_items as t

# The walk carries whole rows: joining its ids back to work_items instead let PostgreSQL,
# which cannot tell that the walk yields at most six rows, hash-join them against a full table scan.
_chain = select(*t.c).where(t.c.id == bindparam("id")).cte("chain", recursive=True)
_chain = _chain.union_all(select(*t.c).join(_chain, t.c.id == _chain.c.parent_id))
_ancestry = select(*(null().label(f"dep_{column.name}") for column in d.c), *_chain.c)
_other_end = case((d.c.work_item_id == bindparam("id"), d.c.depends_on_id), else_=d.c.work_item_id)
_links = (
    select(*(column.label(f"dep_{column.name}") for column in d.c), *t.c)
    .join(t, t.c.id == _other_end)
    .where(or_(d.c.work_item_id == bindparam("id"), d.c.depends_on_id == bindparam("id")))
)
# The typed half goes first: SQLAlchemy takes the result types from it.
_VIEW: CompoundSelect[Any] = union_all(_links, _ancestry)
ITEM_VIEW = DriverStatement(_VIEW, columns=_VIEW.selected_columns)  # the hottest read of all: see driver_sql
# Each row: the dependency's columns (all NULL on the item and its ancestors), then the item's.
_ITEM_START = len(d.c)

Link = tuple[Dependency, WorkItem]


def item_view(conn: Connection, item_id: str) -> tuple[list[WorkItem], list[Link]]:
    """(the item's ancestors root first and the item last, [(dependency, item at its other end)]).

    Both lists are empty when there is no such item.
    """
    return _view(ITEM_VIEW.rows(conn, {"id": item_id}))


def item_view_on(direct: Direct, item_id: str) -> tuple[list[WorkItem], list[Link]]:
    """`item_view` on a kept driver connection (PostgreSQL: `Database.read_direct`)."""
    return _view(ITEM_VIEW.rows_on(direct, {"id": item_id}))


def _view(rows: Sequence[Sequence[Any]]) -> tuple[list[WorkItem], list[Link]]:
    chain: list[WorkItem] = []
    links: list[Link] = []
    for row in rows:
        item = to_record(row[_ITEM_START:])
        if row[0] is None:  # no dependency: the item itself or an ancestor
            chain.append(item)
        else:
            links.append((dependencies.to_record(row[:_ITEM_START]), item))
    chain.sort(key=lambda item: int(item["depth"]))
    links.sort(key=lambda pair: (pair[0]["created_at"], pair[0]["id"]))
    return chain, links
