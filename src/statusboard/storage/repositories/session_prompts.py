"""SQL for session prompts (recorded once, never changed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Connection, func, select

from statusboard.domain.records import SessionPrompt
from statusboard.storage.repositories.rows import record_with_times, records
from statusboard.storage.tables import session_prompts as s


def insert(conn: Connection, values: Mapping[str, Any]) -> SessionPrompt:
    row = conn.execute(s.insert().values(**values).returning(*s.c)).mappings().one()
    return cast(SessionPrompt, record_with_times(row, ("recorded_at",)))


def listing(
    conn: Connection, session_id: str | None = None, limit: int | None = None, offset: int = 0
) -> tuple[list[SessionPrompt], int]:
    where = [] if session_id is None else [s.c.session_id == session_id]
    total = int(conn.execute(select(func.count()).select_from(s).where(*where)).scalar_one())
    stmt = select(s).where(*where).order_by(s.c.recorded_at, s.c.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return cast(list[SessionPrompt], records(conn.execute(stmt), ("recorded_at",))), total
