"""SQL for the change log: append in the writer's transaction, read in seq order up to the
settled seq (see `settled_seq`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, FromClause, Insert, bindparam, func, select, text
from sqlalchemy.exc import OperationalError

from statusboard.domain.clock import iso
from statusboard.domain.entities import ChangeLogEntry
from statusboard.domain.errors import DatabaseUnavailableError
from statusboard.storage.database import CHANGE_LOG_LOCK
from statusboard.storage.driver_sql import DriverStatement
from statusboard.storage.repositories.rows import plain_dict
from statusboard.storage.tables import change_log as c

LOCK_NOT_AVAILABLE = "55P03"


@dataclass
class ChangeEntry:
    entity: str
    entity_id: str
    version: int | None
    op: str
    fields: dict[str, Any] = field(default_factory=dict)


ENTRY_COLUMNS = ("entity", "entity_id", "version", "op", "actor", "at", "fields", "idempotency_key")


def entry_rows(actor: str, at: datetime, entries: list[ChangeEntry], key: str | None) -> list[dict[str, Any]]:
    """The change-log rows of one write, the one builder every append uses (the fast claim's
    too). The write's idempotency key goes on its first entry only: a replay finds it there."""
    return [
        {
            "entity": entry.entity,
            "entity_id": entry.entity_id,
            "version": entry.version,
            "op": entry.op,
            "actor": actor,
            "at": at,
            "fields": entry.fields,
            "idempotency_key": key if n == 0 else None,
        }
        for n, entry in enumerate(entries)
    ]


def append_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Appends several entries in one round trip; seq follows the order of `rows`."""
    conn.execute(_APPEND_MANY, rows)


# Built once: every write appends, so building the statement each time would show.
_APPEND_MANY = c.insert()
# The same append of one row, on a kept driver connection (the fast claim on SQLite).
APPEND_ONE = DriverStatement(_APPEND_MANY, keys=ENTRY_COLUMNS)


def append_selected(entity_id: ColumnElement[Any], version: ColumnElement[Any], source: FromClause) -> Insert:
    """The same append with the entity's id and version read in the statement, from `source`
    (PostgreSQL's one-statement claim takes them from the item row it locked); every other
    value is bound by its name in `entry_rows`. Build it once."""
    bound = {name: bindparam(name, type_=c.c[name].type) for name in ENTRY_COLUMNS}
    values = [
        entity_id if name == "entity_id" else version if name == "version" else bound[name] for name in ENTRY_COLUMNS
    ]
    return c.insert().from_select(ENTRY_COLUMNS, select(*values).select_from(source))


def append_turn() -> ColumnElement[Any]:
    """PostgreSQL: the change-log lock, shared, taken as the last step before the append (see
    services/changes.py); the SQL form of `Database.lock(conn, CHANGE_LOG_LOCK, shared=True)`."""
    return func.pg_advisory_xact_lock_shared(CHANGE_LOG_LOCK)


_LISTED = [column for column in c.c if column.name != "idempotency_key"]
_SINCE = (
    select(*_LISTED)
    .where(c.c.seq > bindparam("since"), c.c.seq <= bindparam("upto"))
    .order_by(c.c.seq)
    .limit(bindparam("limit"))
)


def since(conn: Connection, since_seq: int, upto: int, limit: int) -> list[ChangeLogEntry]:
    """The entries after `since_seq` up to `upto` (a settled seq), oldest first."""
    rows = []
    for row in conn.execute(_SINCE, {"since": since_seq, "upto": upto, "limit": limit}).mappings():
        record = plain_dict(row)
        record["at"] = iso(record["at"])
        rows.append(record)
    return cast(list[ChangeLogEntry], rows)


_LAST = select(func.max(c.c.seq))


# PostgreSQL: writers append holding the change-log lock shared, from just before their seq
# is drawn until they commit; this takes it exclusively, so it waits for every writer holding
# a seq and lets none draw a new one, and reads the sequence's last value (a sequence is not
# transactional: this is the last seq drawn, whatever the statement's snapshot). CACHE 1
# (the default the table's sequence keeps) matters: a backend holding cached values could
# hand out a seq below this one later. The wait is bounded (lock_timeout, for this statement
# only): a writer stuck between its append and its commit (its process stopped, say) must not
# hold every reader, and every writer queued behind a waiting reader, for ever.
SETTLE_TIMEOUT_MS = 5000
_SETTLE = text(
    "WITH patience AS MATERIALIZED (SELECT set_config('lock_timeout', :timeout, true)),"
    " turn AS MATERIALIZED (SELECT pg_advisory_xact_lock(:lock) FROM patience)"
    " SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('change_log', 'seq')), 0) FROM turn"
)


def settled_seq(conn: Connection) -> int:
    """A seq such that every entry up to it has committed, or never will: any snapshot taken
    after this call sees all of them. Readers that follow the log by seq read up to it, never
    past it (on PostgreSQL, a writer holding seq 11 may commit after one holding seq 12).

    PostgreSQL: one statement, its own transaction (`conn` in autocommit, as `reading` gives
    it), outside any snapshot the caller takes afterwards; DatabaseUnavailableError if a write
    does not commit within SETTLE_TIMEOUT_MS. SQLite: writers take turns, so commit order is
    seq order and the newest visible entry is settled.
    """
    if conn.dialect.name != "postgresql":
        return int(conn.execute(_LAST).scalar_one() or 0)
    try:
        return int(conn.execute(_SETTLE, {"lock": CHANGE_LOG_LOCK, "timeout": f"{SETTLE_TIMEOUT_MS}ms"}).scalar_one())
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        message = f"a write did not commit within {SETTLE_TIMEOUT_MS} ms; the change log cannot be read past it"
        raise DatabaseUnavailableError(message, ["primary"]) from exc


_BY_KEY = select(c.c.seq).where(c.c.idempotency_key == bindparam("key"))


def has_key(conn: Connection, key: str) -> bool:
    """Whether a write carrying this idempotency key has committed."""
    return conn.execute(_BY_KEY, {"key": key}).first() is not None


_TOUCHED = select(c.c.entity, c.c.op).where(c.c.seq > bindparam("since")).distinct()


def touched_since(conn: Connection, since_seq: int) -> set[tuple[str, str]]:
    """Which (entity, op) pairs the entries after `since_seq` name."""
    return {(str(entity), str(op)) for entity, op in conn.execute(_TOUCHED, {"since": since_seq})}


_IDS = select(c.c.entity_id).where(c.c.seq > bindparam("since"), c.c.entity == bindparam("entity")).distinct()


def ids_since(conn: Connection, since_seq: int, entity: str) -> set[str]:
    """The ids of the `entity` rows that the entries after `since_seq` name."""
    return {str(entity_id) for (entity_id,) in conn.execute(_IDS, {"since": since_seq, "entity": entity})}
