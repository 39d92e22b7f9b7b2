"""SQL for the change log: append in the writer's transaction, read in seq order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from statusboard.domain.clock import iso
from statusboard.storage.repositories.rows import plain_dict
from statusboard.storage.tables import change_log as c


def append_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Appends several entries in one round trip; seq follows the order of `rows`."""
    conn.execute(_APPEND_MANY, rows)


# Built once: every write appends, so building the statement each time would show.
_APPEND_MANY = c.insert()
_LISTED = [column for column in c.c if column.name != "idempotency_key"]
_SINCE = select(*_LISTED).where(c.c.seq > bindparam("since")).order_by(c.c.seq).limit(bindparam("limit"))


def since(conn: Connection, since_seq: int, limit: int) -> list[dict[str, Any]]:
    rows = []
    for row in conn.execute(_SINCE, {"since": since_seq, "limit": limit}).mappings():
        record = plain_dict(row)
        record["at"] = iso(record["at"])
        rows.append(record)
    return rows


_LAST = select(func.max(c.c.seq))


def last_seq(conn: Connection) -> int:
    """The newest entry's seq, 0 for an empty log. Every write appends, so this names the
    state a snapshot sees: two snapshots with the same last seq see the same data."""
    return int(conn.execute(_LAST).scalar_one() or 0)


_BY_KEY = select(c.c.seq).where(c.c.idempotency_key == bindparam("key"))


def has_key(conn: Connection, key: str) -> bool:
    """Whether a write carrying this idempotency key has committed."""
    return conn.execute(_BY_KEY, {"key": key}).first() is not None


_TOUCHED = select(c.c.entity, c.c.op).where(c.c.seq > bindparam("since")).distinct()


def touched_since(conn: Connection, since_seq: int) -> set[tuple[str, str]]:
    """Which (entity, op) pairs the entries after `since_seq` name."""
    return {(str(entity), str(op)) for entity, op in conn.execute(_TOUCHED, {"since": since_seq})}
