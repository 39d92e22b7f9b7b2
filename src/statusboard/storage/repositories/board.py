"""SQL for what the board shows that no other read gives: every live item with its live claim in
one statement, what each waiting item waits on, vendors' test results, one entity's history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Connection, and_, bindparam, func, literal, or_, select, union_all

from statusboard.domain.clock import iso
from statusboard.domain.entities import ChangeLogEntry, ClaimLease, EntityChange, Predecessor, WorkItemHeadline
from statusboard.storage.repositories.rows import plain_dict
from statusboard.storage.tables import archived_work_items as a
from statusboard.storage.tables import change_log as log
from statusboard.storage.tables import enhancements as e
from statusboard.storage.tables import vendors as v
from statusboard.storage.tables import work_item_claims as c
from statusboard.storage.tables import work_item_dependencies as d
from statusboard.storage.tables import work_items as t

_LIVE = and_(t.c.deleted_at.is_(None), t.c.archived.is_(False))
_TREE = (
    select(t.c.id, t.c.parent_id, t.c.item_type, t.c.title, t.c.status, t.c.metadata["priority"].as_string())
    .where(_LIVE)
    .order_by(t.c.created_at, t.c.id)
)
TREE_COLUMNS = ("id", "parent_id", "item_type", "title", "status", "priority")


def live_items(conn: Connection) -> list[WorkItemHeadline]:
    """Every item neither deleted nor archived, oldest first: what the tree shows of it."""
    rows = [dict(zip(TREE_COLUMNS, values, strict=True)) for values in conn.execute(_TREE).all()]
    return cast(list[WorkItemHeadline], rows)


_OPEN_CLAIMS = select(c.c.work_item_id, c.c.holder, c.c.expires_at).where(c.c.ended_at.is_(None))


def open_claims(conn: Connection) -> dict[str, ClaimLease]:
    """Every open claim (live, or expired and not yet taken over) by item: holder, expires_at."""
    return {
        item_id: {"holder": holder, "expires_at": iso(expires_at), "ended_at": None}
        for item_id, holder, expires_at in conn.execute(_OPEN_CLAIMS)
    }


_before = t.alias("before")
_waiting = t.alias("waiting")


def _waits(kind: str, waiting_side: Any, before_side: Any) -> Any:
    return (
        select(
            waiting_side.label("waiting_id"),
            _before.c.id,
            _before.c.title,
            _before.c.status,
            literal(kind).label("dependency_type"),
        )
        .select_from(d)
        .join(_before, _before.c.id == before_side)
        .join(_waiting, _waiting.c.id == waiting_side)
        .where(
            d.c.dependency_type == kind,
            _before.c.status != "completed",
            _before.c.deleted_at.is_(None),
            _waiting.c.status != "completed",
            _waiting.c.deleted_at.is_(None),
            _waiting.c.archived.is_(False),
        )
    )


# `A depends_on B` and `B blocks A` both hold A until B is completed (the rule list_ready_work
# applies: repositories/claims.py).
_WAITING_ON = union_all(
    _waits("depends_on", d.c.work_item_id, d.c.depends_on_id),
    _waits("blocks", d.c.depends_on_id, d.c.work_item_id),
)


def unfinished_predecessors(conn: Connection) -> dict[str, list[Predecessor]]:
    """For each live item not completed, the live items not completed that it waits on."""
    waiting: dict[str, list[Predecessor]] = {}
    for waiting_id, other_id, title, status, kind in conn.execute(_WAITING_ON):
        waiting.setdefault(waiting_id, []).append(
            {"id": other_id, "title": title, "status": status, "dependency_type": kind}
        )
    return waiting


_BLOCKED_REASONS = select(t.c.id, t.c.metadata["blocked_reason"].as_string()).where(_LIVE, t.c.status == "blocked")


def blocked_reasons(conn: Connection) -> dict[str, str | None]:
    """The live items whose status is blocked, with the reason their metadata gives (or None)."""
    return {item_id: reason for item_id, reason in conn.execute(_BLOCKED_REASONS)}


_PASSING = v.c.metadata[("test_results", "passing")].as_integer()
_TESTS = v.c.metadata[("test_results", "total")].as_integer()
_TEST_RESULTS = select(v.c.status, _PASSING, _TESTS, func.count()).group_by(v.c.status, _PASSING, _TESTS)


def vendor_test_results(conn: Connection) -> list[tuple[str, int | None, int | None, int]]:
    """(status, tests passing, tests in total, how many vendors have just these): the vendors
    grouped, so that thousands of alike vendors come back as a few rows."""
    return [(str(status), passing, tests, int(count)) for status, passing, tests, count in conn.execute(_TEST_RESULTS)]


_BROKEN = select(v.c.name).where(v.c.status != "operational").order_by(v.c.name_key).limit(bindparam("limit"))


def broken_vendors(conn: Connection, limit: int) -> list[str]:
    """The names of the first `limit` vendors not operational, by name."""
    return [str(name) for (name,) in conn.execute(_BROKEN, {"limit": limit})]


# A dependency's entries name the dependency's own id; its two items are in its fields.
_LINKED = and_(
    log.c.entity == "dependency",
    or_(
        log.c.fields["work_item_id"].as_string() == bindparam("id"),
        log.c.fields["depends_on_id"].as_string() == bindparam("id"),
    ),
)
_HISTORY = (
    select(log.c.seq, log.c.entity, log.c.version, log.c.op, log.c.actor, log.c.at, log.c.fields)
    .where(or_(log.c.entity_id == bindparam("id"), _LINKED), log.c.seq <= bindparam("upto"))
    .order_by(log.c.seq)
)


def history(conn: Connection, entity_id: str, upto: int) -> list[EntityChange]:
    """Every change-log entry about this entity (for a work item, also its dependencies added and
    removed) up to seq `upto`, oldest first.

    The log has no index on entity_id (migration 0006 dropped it: every write would pay for it),
    so this reads the whole log; it serves one person opening one item's page."""
    rows = []
    for row in conn.execute(_HISTORY, {"id": entity_id, "upto": upto}).mappings():
        entry = plain_dict(row)
        entry["at"] = iso(entry["at"])
        rows.append(entry)
    return cast(list[EntityChange], rows)


_LATEST = (
    select(log.c.seq, log.c.entity, log.c.entity_id, log.c.version, log.c.op, log.c.actor, log.c.at, log.c.fields)
    .where(log.c.seq <= bindparam("upto"))
    .order_by(log.c.seq.desc())
    .limit(bindparam("limit"))
)


def latest_changes(conn: Connection, upto: int, limit: int) -> list[ChangeLogEntry]:
    """The `limit` newest entries up to seq `upto`, newest first."""
    rows = []
    for row in conn.execute(_LATEST, {"upto": upto, "limit": limit}).mappings():
        entry = plain_dict(row)
        entry["at"] = iso(entry["at"])
        rows.append(entry)
    return cast(list[ChangeLogEntry], rows)


def names(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """What to call the entities with these ids: a work item's (live or archived) or an
    enhancement's title, a vendor's name."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    stmt = union_all(
        select(t.c.id, t.c.title).where(t.c.id.in_(wanted)),
        select(a.c.id, a.c.title).where(a.c.id.in_(wanted)),
        select(v.c.id, v.c.name).where(v.c.id.in_(wanted)),
        select(e.c.id, e.c.title).where(e.c.id.in_(wanted)),
    )
    return {str(entity_id): str(name) for entity_id, name in conn.execute(stmt)}


def open_claims_of(conn: Connection, item_ids: Iterable[str]) -> dict[str, ClaimLease]:
    """`open_claims`, of these items only."""
    wanted = list(item_ids)
    if not wanted:
        return {}
    stmt = _OPEN_CLAIMS.where(c.c.work_item_id.in_(wanted))
    return {
        item_id: {"holder": holder, "expires_at": iso(expires_at), "ended_at": None}
        for item_id, holder, expires_at in conn.execute(stmt)
    }
