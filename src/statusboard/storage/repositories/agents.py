"""SQL for the identities of an HTTP server: agents and their board sessions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from statusboard.storage.repositories.rows import record_with_times, records
from statusboard.storage.tables import agent_sessions as s
from statusboard.storage.tables import agents as a

_TIMES = ("created_at", "revoked_at")
_PUBLIC = (a.c.id, a.c.name, a.c.role, a.c.created_at, a.c.revoked_at)

# A second live agent of the same name (two `agent add` at once) inserts nothing.
_INSERT = {
    name: dialect.insert(a).on_conflict_do_nothing().returning(*_PUBLIC)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_LIVE_BY_NAME = select(*_PUBLIC).where(a.c.name == bindparam("name"), a.c.revoked_at.is_(None))
_BY_KEY = select(a.c.id, a.c.name, a.c.role, a.c.token_digest, a.c.revoked_at).where(a.c.key_id == bindparam("key_id"))
_SESSION_BY_KEY = (
    select(s.c.secret_digest, s.c.expires_at, a.c.name, a.c.role, a.c.revoked_at)
    .join(a, a.c.id == s.c.agent_id)
    .where(s.c.key_id == bindparam("key_id"))
)
_COUNT_LIVE = select(func.count()).select_from(a).where(a.c.revoked_at.is_(None))


def insert(conn: Connection, values: Mapping[str, Any]) -> dict[str, Any] | None:
    """The new agent, or None when a live agent already has its name."""
    row = conn.execute(_INSERT[conn.dialect.name], dict(values)).mappings().first()
    return None if row is None else record_with_times(row, _TIMES)


def live_by_name(conn: Connection, name: str) -> dict[str, Any] | None:
    row = conn.execute(_LIVE_BY_NAME, {"name": name}).mappings().first()
    return None if row is None else record_with_times(row, _TIMES)


def listed(conn: Connection, *, include_revoked: bool) -> list[dict[str, Any]]:
    stmt = select(*_PUBLIC).order_by(a.c.name, a.c.created_at)
    if not include_revoked:
        stmt = stmt.where(a.c.revoked_at.is_(None))
    return records(conn.execute(stmt), _TIMES)


def revoke(conn: Connection, name: str, now: datetime) -> dict[str, Any] | None:
    """Revokes the live agent of that name and ends its board sessions; None if there is none."""
    stmt = update(a).where(a.c.name == name, a.c.revoked_at.is_(None)).values(revoked_at=now).returning(*_PUBLIC)
    row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    conn.execute(delete(s).where(s.c.agent_id == row["id"]))
    return record_with_times(row, _TIMES)


def by_key_id(conn: Connection, key_id: str) -> dict[str, Any] | None:
    """The agent a token's key id names (revoked or not), with its token's digest."""
    row = conn.execute(_BY_KEY, {"key_id": key_id}).mappings().first()
    return None if row is None else dict(row)


def count_live(conn: Connection) -> int:
    return int(conn.execute(_COUNT_LIVE).scalar_one())


def insert_session(conn: Connection, values: Mapping[str, Any]) -> None:
    conn.execute(s.insert().values(**values))


def session_by_key_id(conn: Connection, key_id: str) -> dict[str, Any] | None:
    """A board session with its agent's name, role and revocation."""
    row = conn.execute(_SESSION_BY_KEY, {"key_id": key_id}).mappings().first()
    return None if row is None else dict(row)


def delete_expired_sessions(conn: Connection, now: datetime) -> None:
    conn.execute(delete(s).where(s.c.expires_at <= now))


def delete_session(conn: Connection, key_id: str) -> None:
    conn.execute(delete(s).where(s.c.key_id == key_id))
