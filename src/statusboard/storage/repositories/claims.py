"""SQL for claims (leases on work items) and for finding work that is ready to claim.

A claim is *live* while it is open (not ended) and not yet expired. An expired claim
stays open until someone takes the item over, which ends it in the same transaction
that opens the next one; the partial unique index refuses a second open claim.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Select, and_, bindparam, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import ScalarSelect

from statusboard.domain.clock import iso
from statusboard.domain.entities import Claim, WorkItem
from statusboard.storage.repositories.rows import plain_dict
from statusboard.storage.repositories.work_items import to_record
from statusboard.storage.tables import work_item_claims as c
from statusboard.storage.tables import work_item_dependencies as d
from statusboard.storage.tables import work_items as t

_TIMES = ("claimed_at", "expires_at", "ended_at")


def _record(row: Mapping[Any, Any]) -> Claim:
    record = plain_dict(row)
    for key in _TIMES:
        record[key] = iso(record[key])
    return cast(Claim, record)


# -- the claimable rule ------------------------------------------------------------------


def claimable(items: Any = t) -> ColumnElement[bool]:
    """The claimable rule, its one definition: an item may be claimed unless it is deleted,
    archived or completed. The fast claim runs it in SQL; the careful path reads the item and
    asks `unclaimable_reason`, the same rule on a row, which also tells which part it breaks."""
    return and_(items.c.deleted_at.is_(None), items.c.archived.is_(False), items.c.status != "completed")


def unclaimable_reason(item: WorkItem) -> str | None:
    """Why `item` breaks the claimable rule (see `claimable`), or None when it may be claimed."""
    if item["deleted_at"] is not None or item["archived"]:
        return "work item is deleted or archived"
    if item["status"] == "completed":
        return "work item is completed"
    return None


def open_claim_exists(item_id: Any) -> ColumnElement[bool]:
    """The item has an open claim, live or expired (the partial unique index allows one)."""
    return exists().where(c.c.work_item_id == item_id, c.c.ended_at.is_(None))


def last_epoch(item_id: Any) -> ScalarSelect[Any]:
    """The epoch the item was last claimed with (NULL if never): the next claim takes the one after."""
    return select(func.max(c.c.epoch)).where(c.c.work_item_id == item_id).scalar_subquery()


def new_claim_row(
    claim_id: str, item_id: str, epoch: int, token: str, holder: str, claimed_at: datetime, expires_at: datetime
) -> dict[str, Any]:
    """An open claim's row, as both ways of claiming insert it."""
    return {
        "id": claim_id,
        "work_item_id": item_id,
        "epoch": epoch,
        "token": token,
        "holder": holder,
        "claimed_at": claimed_at,
        "expires_at": expires_at,
        "ended_at": None,
        "end_reason": None,
    }


# -- the careful path -----------------------------------------------------------------------

_open = c.alias("open_claim")
_CLAIM_COLUMNS = ("id", "epoch", "token", "holder", "claimed_at", "expires_at")
_ITEM_WITH_CLAIM = (
    select(
        t,
        *(_open.c[name].label(f"claim_{name}") for name in _CLAIM_COLUMNS),
        last_epoch(t.c.id).label("last_epoch"),
    )
    .select_from(t.outerjoin(_open, and_(_open.c.work_item_id == t.c.id, _open.c.ended_at.is_(None))))
    .where(t.c.id == bindparam("id"))
)
# FOR NO KEY UPDATE: excludes other writers and claimants, not inserts of children (FOR KEY SHARE).
_ITEM_WITH_CLAIM_LOCKED = _ITEM_WITH_CLAIM.with_for_update(of=t, key_share=True)
_CLAIM_START = len(t.c)


def item_with_claim(conn: Connection, item_id: str, *, lock: bool) -> tuple[WorkItem | None, Claim | None, int]:
    """The item, its open claim (live or expired) and the last epoch it was claimed with, in one
    statement; with `lock`, the item's row stays write-locked until the transaction ends."""
    stmt = _ITEM_WITH_CLAIM_LOCKED if lock else _ITEM_WITH_CLAIM
    row = conn.execute(stmt, {"id": item_id}).first()
    if row is None:
        return None, None, 0
    # Each row: the item's columns, the open claim's (all NULL without one), the last epoch.
    item = to_record(row[:_CLAIM_START])
    last_epoch = int(row[-1] or 0)
    if row[_CLAIM_START] is None:
        return item, None, last_epoch
    claim_values = dict(zip(_CLAIM_COLUMNS, row[_CLAIM_START:-1], strict=True))
    claim = _record({**claim_values, "work_item_id": item_id, "ended_at": None, "end_reason": None})
    return item, claim, last_epoch


_OPEN = select(c).where(c.c.work_item_id == bindparam("id"), c.c.ended_at.is_(None))


def open_claim(conn: Connection, item_id: str) -> Claim | None:
    row = conn.execute(_OPEN, {"id": item_id}).mappings().first()
    return None if row is None else _record(row)


_INSERT_OPEN = {
    name: dialect.insert(c).on_conflict_do_nothing().returning(*c.c)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def insert_open(conn: Connection, values: Mapping[str, Any]) -> Claim | None:
    """Opens a claim, or returns None if the item already has an open one (or the epoch was taken)."""
    row = conn.execute(_INSERT_OPEN[conn.dialect.name], dict(values)).mappings().first()
    return None if row is None else _record(row)


_ENDED: dict[str, Any] = {"ended_at": bindparam("b_now"), "end_reason": bindparam("b_reason")}
_END = update(c).where(c.c.id == bindparam("b_claim"), c.c.ended_at.is_(None)).values(_ENDED)
_LIVE_WITH_TOKEN = and_(
    c.c.work_item_id == bindparam("b_item"),
    c.c.token == bindparam("b_token"),
    c.c.ended_at.is_(None),
    c.c.expires_at > bindparam("b_now"),
)
_END_LIVE = update(c).where(_LIVE_WITH_TOKEN).values(_ENDED).returning(*c.c)
_EXTEND = update(c).where(_LIVE_WITH_TOKEN).values(expires_at=bindparam("b_expires")).returning(*c.c)


def end(conn: Connection, claim_id: str, now: datetime, reason: str) -> bool:
    return conn.execute(_END, {"b_claim": claim_id, "b_now": now, "b_reason": reason}).rowcount == 1


def end_live(conn: Connection, item_id: str, token: str, now: datetime, reason: str) -> Claim | None:
    """Ends the item's claim if `token` is its live one."""
    params = {"b_item": item_id, "b_token": token, "b_now": now, "b_reason": reason}
    row = conn.execute(_END_LIVE, params).mappings().first()
    return None if row is None else _record(row)


def extend(conn: Connection, item_id: str, token: str, now: datetime, expires_at: datetime) -> Claim | None:
    params = {"b_item": item_id, "b_token": token, "b_now": now, "b_expires": expires_at}
    row = conn.execute(_EXTEND, params).mappings().first()
    return None if row is None else _record(row)


def _live_with_token(item_id: Any, token: str, now: datetime) -> ColumnElement[bool]:
    return and_(c.c.work_item_id == item_id, c.c.token == token, c.c.ended_at.is_(None), c.c.expires_at > now)


def live_claim_exists(item_id: Any, now: datetime) -> ColumnElement[bool]:
    """A condition usable inside another statement: the item has a live claim."""
    return exists().where(c.c.work_item_id == item_id, c.c.ended_at.is_(None), c.c.expires_at > now)


def live_claim_with_token(item_id: Any, token: str, now: datetime) -> ColumnElement[bool]:
    return exists().where(_live_with_token(item_id, token, now))


# -- ready work ------------------------------------------------------------------------

_before = t.alias("before")


def _waiting_on_unfinished(item_id: Any) -> ColumnElement[bool]:
    """The item has a predecessor (by depends_on or blocks) that is live and not completed."""
    unfinished = and_(_before.c.status != "completed", _before.c.deleted_at.is_(None))
    depends = exists().where(
        d.c.dependency_type == "depends_on",
        d.c.work_item_id == item_id,
        _before.c.id == d.c.depends_on_id,
        unfinished,
    )
    blocked = exists().where(
        d.c.dependency_type == "blocks",
        d.c.depends_on_id == item_id,
        _before.c.id == d.c.work_item_id,
        unfinished,
    )
    return depends | blocked


_child = t.alias("child")


def _open_children(item_id: Any) -> ColumnElement[bool]:
    """The item has a child that is live (neither deleted nor archived) and not completed: a
    project or session is work to hand out only once the work under it is done."""
    return exists().where(
        _child.c.parent_id == item_id,
        _child.c.deleted_at.is_(None),
        _child.c.archived.is_(False),
        _child.c.status != "completed",
    )


def ready_statement(now: datetime, item_type: str | None, limit: int) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = [
        t.c.status == "active",
        claimable(t),
        ~live_claim_exists(t.c.id, now),
        ~_waiting_on_unfinished(t.c.id),
        ~_open_children(t.c.id),
    ]
    if item_type is not None:
        conditions.append(t.c.item_type == item_type)
    return select(t).where(*conditions).order_by(t.c.created_at, t.c.id).limit(limit)


def ready(conn: Connection, now: datetime, item_type: str | None, limit: int) -> list[WorkItem]:
    return [to_record(row) for row in conn.execute(ready_statement(now, item_type, limit))]


def lock_next_ready(conn: Connection, now: datetime, item_type: str | None, *, skip_locked: bool) -> WorkItem | None:
    """The oldest ready item, locked (PostgreSQL). With `skip_locked`, items other transactions
    hold locked are passed over; without, this waits for the holder of the oldest one."""
    stmt = ready_statement(now, item_type, 1).with_for_update(of=t, skip_locked=skip_locked)
    row = conn.execute(stmt).first()
    return None if row is None else to_record(row)


def any_ready(conn: Connection, now: datetime, item_type: str | None) -> bool:
    """Whether an item is ready (locked or not), as of this statement."""
    return conn.execute(select(ready_statement(now, item_type, 1).exists())).scalar_one() is True


def history(conn: Connection, item_id: str) -> list[Claim]:
    stmt = select(c).where(c.c.work_item_id == item_id).order_by(c.c.epoch)
    return [_record(row) for row in conn.execute(stmt).mappings()]
