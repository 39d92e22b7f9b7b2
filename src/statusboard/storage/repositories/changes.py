"""SQL for the change log: append in the writer's transaction, read in seq order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from statusboard.domain.clock import iso
from statusboard.storage.repositories.rows import plain_dict
from statusboard.storage.tables import change_log as c


def append(
    conn: Connection,
    *,
    entity: str,
    entity_id: str,
    version: int | None,
    op: str,
    actor: str,
    at: datetime,
    fields: dict[str, Any],
) -> int:
    stmt = c.insert().values(
        entity=entity, entity_id=entity_id, version=version, op=op, actor=actor, at=at, fields=fields
    )
    return int(conn.execute(stmt.returning(c.c.seq)).scalar_one())


def since(conn: Connection, since_seq: int, limit: int) -> list[dict[str, Any]]:
    stmt = select(c).where(c.c.seq > since_seq).order_by(c.c.seq).limit(limit)
    rows = []
    for row in conn.execute(stmt).mappings():
        record = plain_dict(row)
        record["at"] = iso(record["at"])
        rows.append(record)
    return rows
