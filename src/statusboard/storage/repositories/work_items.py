"""SQL for work items. Every change is one conditional statement; the row count decides."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    true,
    update,
)

from statusboard.domain.clock import iso
from statusboard.domain.entities import (
    OUTLINE_FIELDS,
    SUMMARY_FIELDS,
    ClaimLease,
    OutlineRow,
    WorkItem,
    WorkItemOutline,
)
from statusboard.storage.repositories.rows import STREAMED_ROWS, as_dict, column_names, records
from statusboard.storage.tables import work_item_claims as c
from statusboard.storage.tables import work_items as t

COLUMNS = column_names(t.c)


def to_record(values: Sequence[Any]) -> WorkItem:
    """A work item as a JSON-ready dict, from its columns in table order (a row of `select(t)`)."""
    record = as_dict(COLUMNS, values)
    record["created_at"] = iso(record["created_at"])
    record["updated_at"] = iso(record["updated_at"])
    record["deleted_at"] = iso(record["deleted_at"])
    record["archived"] = bool(record["archived"])
    return cast(WorkItem, record)


def insert(conn: Connection, values: Mapping[str, Any]) -> WorkItem:
    return to_record(conn.execute(t.insert().values(**values).returning(*t.c)).one())


# Hot-path statements are built once; executing them only binds parameters.
_GET = select(t).where(t.c.id == bindparam("id"))


def get(conn: Connection, item_id: str) -> WorkItem | None:
    row = conn.execute(_GET, {"id": item_id}).first()
    return None if row is None else to_record(row)


def get_for_share(conn: Connection, item_id: str) -> WorkItem | None:
    """Reads a row and keeps it from changing until this transaction ends (PostgreSQL)."""
    stmt = select(t).where(t.c.id == item_id).with_for_update(read=True)
    row = conn.execute(stmt).first()
    return None if row is None else to_record(row)


def conditional_update(
    conn: Connection,
    item_id: str,
    expected_version: int,
    values: Mapping[str, Any],
    claim_allows: ColumnElement[bool],
) -> WorkItem | None:
    """Applies `values` and bumps the version only if the row is live, at `expected_version`,
    and `claim_allows` (the claim rule for this writer) holds: one statement decides."""
    stmt = (
        update(t)
        .where(t.c.id == item_id, t.c.version == expected_version, t.c.deleted_at.is_(None), claim_allows)
        .values(**values, version=t.c.version + 1)
        .returning(*t.c)
    )
    row = conn.execute(stmt).first()
    return None if row is None else to_record(row)


def live_children_count(conn: Connection, item_id: str) -> int:
    stmt = select(func.count()).where(t.c.parent_id == item_id, t.c.deleted_at.is_(None))
    return int(conn.execute(stmt).scalar_one())


def subtree_max_depth(conn: Connection, path: str) -> int:
    stmt = select(func.max(t.c.depth)).where(t.c.path.startswith(path, autoescape=True))
    return int(conn.execute(stmt).scalar_one())


def move_subtree(conn: Connection, old_prefix: str, new_prefix: str, depth_delta: int) -> None:
    """Rewrites the path and depth of every strict descendant of the moved item."""
    stmt = (
        update(t)
        .where(t.c.path.startswith(old_prefix, autoescape=True), t.c.path != old_prefix)
        .values(
            path=literal(new_prefix) + func.substr(t.c.path, len(old_prefix) + 1),
            depth=t.c.depth + depth_delta,
        )
    )
    conn.execute(stmt)


def _descendants_statement(include_archived: bool, dialect: str) -> Select[Any]:
    # The walk carries whole rows: joining its ids back to work_items instead made PostgreSQL
    # hash-join them against a full table scan (it cannot tell how few rows the walk yields).
    tree = select(*t.c).where(t.c.parent_id == bindparam("id")).cte("tree", recursive=True)
    if dialect == "postgresql":
        # Each level looks its children up parent by parent, through the parent_id index. With a
        # plain join, PostgreSQL (which expects ten times more parents per level than it gets) chose
        # a hash join over a full scan of work_items per level. OFFSET 0 keeps the lateral
        # subquery from being flattened back into that join. SQLite has no LATERAL and needs none.
        children = select(*t.c).where(t.c.parent_id == tree.c.id).offset(literal_column("0")).lateral("children")
        tree = tree.union_all(select(*children.c).select_from(tree).join(children, true()))
    else:
        tree = tree.union_all(select(*t.c).join(tree, t.c.parent_id == tree.c.id))
    conditions: list[ColumnElement[bool]] = [tree.c.deleted_at.is_(None)]
    if not include_archived:
        conditions.append(tree.c.archived.is_(False))
    order = (tree.c.depth, tree.c.created_at, tree.c.id)
    return select(*tree.c).where(and_(*conditions)).order_by(*order).limit(bindparam("limit"))


_DESCENDANTS = {
    (dialect, flag): _descendants_statement(flag, dialect)
    for dialect in ("postgresql", "sqlite")
    for flag in (False, True)
}


def descendants(conn: Connection, item_id: str, *, include_archived: bool, limit: int) -> list[WorkItem]:
    """Live descendants, shallowest first, found level by level along parent_id (at most five levels)."""
    stmt = _DESCENDANTS[conn.dialect.name, include_archived]
    rows = conn.execute(stmt, {"id": item_id, "limit": limit}).all()
    return [to_record(row) for row in rows]


@dataclass(frozen=True)
class ListFilter:
    item_type: str | None = None
    status: str | None = None
    parent_id: str | None = None
    created_by: str | None = None
    include_deleted: bool = False


_open = c.alias("open_claim")
_WITH_OPEN_CLAIM = t.outerjoin(_open, and_(_open.c.work_item_id == t.c.id, _open.c.ended_at.is_(None)))
_SUMMARY_COLUMNS = [t.c[name] for name in SUMMARY_FIELDS if name != "claim"]
_SUMMARY_NAMES = tuple(str(column.name) for column in _SUMMARY_COLUMNS)
Listed = tuple[dict[str, Any], ClaimLease | None]  # a row (WorkItem, or its summary's columns) and its open claim


def list_page(conn: Connection, flt: ListFilter, limit: int, offset: int, *, whole: bool) -> tuple[list[Listed], int]:
    """A page of items, oldest first, each with its open claim (live or expired), and how many
    match in all. Whole rows (`to_record`), or only the columns of a summary row."""
    conditions: list[ColumnElement[bool]] = [t.c.archived.is_(False)]
    if not flt.include_deleted:
        conditions.append(t.c.deleted_at.is_(None))
    for column, value in (
        (t.c.item_type, flt.item_type),
        (t.c.status, flt.status),
        (t.c.parent_id, flt.parent_id),
        (t.c.created_by, flt.created_by),
    ):
        if value is not None:
            conditions.append(column == value)
    where = and_(*conditions)
    total = int(conn.execute(select(func.count()).select_from(t).where(where)).scalar_one())
    columns = list(t.c) if whole else _SUMMARY_COLUMNS
    stmt = (
        select(*columns, _open.c.holder, _open.c.expires_at)
        .select_from(_WITH_OPEN_CLAIM)
        .where(where)
        .order_by(t.c.created_at, t.c.id)
        .limit(limit)
        .offset(offset)
    )
    rows: list[Listed] = []
    for row in conn.execute(stmt):
        values, (holder, expires_at) = row[:-2], row[-2:]
        item: dict[str, Any] = dict(to_record(values)) if whole else as_dict(_SUMMARY_NAMES, values)
        lease: ClaimLease | None = None
        if holder is not None:
            lease = {"holder": holder, "expires_at": iso(expires_at), "ended_at": None}
        rows.append((item, lease))
    return rows, total


def by_ids(conn: Connection, ids: list[str]) -> dict[str, WorkItem]:
    """The rows with these ids, deleted ones included (archived ones live elsewhere)."""
    return {row[0]: to_record(row) for row in conn.execute(select(t).where(t.c.id.in_(ids))).all()}


_OUTLINE_COLUMNS = {column.name: column for column in t.c} | {
    "priority": t.c.metadata["priority"].as_string().label("priority")
}
_OUTLINE = (
    select(*(_OUTLINE_COLUMNS[name] for name in OUTLINE_FIELDS))  # `live_outline_rows` reads them by position
    .where(t.c.deleted_at.is_(None), t.c.archived.is_(False))
    .order_by(t.c.created_at, t.c.id)
)


def live_outline(conn: Connection) -> list[WorkItemOutline]:
    """What the status file shows of every item that is neither deleted nor archived, oldest first."""
    return cast(list[WorkItemOutline], records(conn.execute(_OUTLINE)))


def live_outline_rows(conn: Connection) -> Iterator[OutlineRow]:
    """`live_outline` as the rows come (OutlineRow), for the status file, read a few hundred at a
    time (see `vendors.facts_by_id`). A row is not a tuple, but it is read as one: by position."""
    for rows in conn.execute(_OUTLINE).partitions(STREAMED_ROWS):
        yield from cast(Sequence[OutlineRow], rows)


def live_summary(conn: Connection) -> list[tuple[str, str, str | None, int]]:
    """(item_type, status, priority, count) over items that are neither deleted nor archived."""
    priority = t.c.metadata["priority"].as_string()
    stmt = (
        select(t.c.item_type, t.c.status, priority, func.count())
        .where(t.c.deleted_at.is_(None), t.c.archived.is_(False))
        .group_by(t.c.item_type, t.c.status, priority)
    )
    return [(str(a), str(b), None if c is None else str(c), int(n)) for a, b, c, n in conn.execute(stmt)]
