"""One statement for what query_work_item shows of an item: itself, its ancestors, its
dependencies, and the item's open claim.

The item and its ancestors come from a recursive walk up parent_id (each step a
primary-key lookup), the item's row joined to its open claim (the partial unique index's
lookup); each dependency, in or out, comes joined to the item at its other end. Both halves
share one result shape, so the whole view costs one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CompoundSelect, Connection, and_, bindparam, case, null, or_, select, type_coerce, union_all

from statusboard.domain.clock import iso
from statusboard.domain.entities import ClaimLease, Dependency, WorkItem
from statusboard.storage.direct import Direct
from statusboard.storage.driver_sql import DriverStatement
from statusboard.storage.repositories import dependencies
from statusboard.storage.repositories.work_items import to_record
from statusboard.storage.tables import work_item_claims as c
from statusboard.storage.tables import work_item_dependencies as d
from statusboard.storage.tables import work_items as t

# The walk carries whole rows: joining its ids back to work_items instead let PostgreSQL,
# which cannot tell that the walk yields at most six rows, hash-join them against a full table scan.
_chain = select(*t.c).where(t.c.id == bindparam("id")).cte("chain", recursive=True)
_chain = _chain.union_all(select(*t.c).join(_chain, t.c.id == _chain.c.parent_id))
_open = c.alias("open_claim")
_item_claim = and_(_open.c.work_item_id == _chain.c.id, _open.c.ended_at.is_(None), _chain.c.id == bindparam("id"))
_ancestry = select(
    *(null().label(f"dep_{column.name}") for column in d.c),
    *_chain.c,
    _open.c.holder.label("claim_holder"),
    _open.c.expires_at.label("claim_expires_at"),
).select_from(_chain.outerjoin(_open, _item_claim))
_other_end = case((d.c.work_item_id == bindparam("id"), d.c.depends_on_id), else_=d.c.work_item_id)
_links = (
    select(
        *(column.label(f"dep_{column.name}") for column in d.c),
        *t.c,
        type_coerce(null(), c.c.holder.type).label("claim_holder"),
        type_coerce(null(), c.c.expires_at.type).label("claim_expires_at"),
    )
    .join(t, t.c.id == _other_end)
    .where(or_(d.c.work_item_id == bindparam("id"), d.c.depends_on_id == bindparam("id")))
)
# The typed half goes first: SQLAlchemy takes the result types from it.
_VIEW: CompoundSelect[Any] = union_all(_links, _ancestry)
ITEM_VIEW = DriverStatement(_VIEW, columns=_VIEW.selected_columns)  # the hottest read of all: see driver_sql
# Each row: the dependency's columns (all NULL on the item and its ancestors), then the item's,
# then its open claim's holder and expiry (NULL but on the item's own row, if it has one).
_ITEM_START = len(d.c)
_ITEM_END = _ITEM_START + len(t.c)

Link = tuple[Dependency, WorkItem]
View = tuple[list[WorkItem], list[Link], ClaimLease | None]


def item_view(conn: Connection, item_id: str) -> View:
    """(the item's ancestors root first and the item last, [(dependency, item at its other end)],
    the item's open claim, live or expired).

    Both lists are empty, and the claim None, when there is no such item.
    """
    return _view(ITEM_VIEW.rows(conn, {"id": item_id}))


def item_view_on(direct: Direct, item_id: str) -> View:
    """`item_view` on a kept driver connection (PostgreSQL: `Database.read_direct`)."""
    return _view(ITEM_VIEW.rows_on(direct, {"id": item_id}))


def _view(rows: Sequence[Sequence[Any]]) -> View:
    chain: list[WorkItem] = []
    links: list[Link] = []
    claim: ClaimLease | None = None
    for row in rows:
        item = to_record(row[_ITEM_START:_ITEM_END])
        if row[0] is None:  # no dependency: the item itself or an ancestor
            chain.append(item)
            if row[_ITEM_END] is not None:
                claim = {"holder": row[_ITEM_END], "expires_at": iso(row[_ITEM_END + 1]), "ended_at": None}
        else:
            links.append((dependencies.to_record(row[:_ITEM_START]), item))
    chain.sort(key=lambda item: int(item["depth"]))
    links.sort(key=lambda pair: (pair[0]["created_at"], pair[0]["id"]))
    return chain, links, claim
