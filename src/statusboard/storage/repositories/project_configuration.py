"""SQL for the project configuration singleton."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Connection, select, update

from statusboard.domain.project_configuration import CONFIGURATION_ID
from statusboard.domain.records import ProjectConfiguration
from statusboard.storage.repositories.rows import record_with_times
from statusboard.storage.tables import project_configuration as p

_GET = select(p).where(p.c.id == CONFIGURATION_ID)


def get(conn: Connection) -> ProjectConfiguration:
    return cast(ProjectConfiguration, record_with_times(conn.execute(_GET).mappings().one(), ("updated_at",)))


def conditional_update(
    conn: Connection, expected_version: int, values: Mapping[str, Any]
) -> ProjectConfiguration | None:
    stmt = (
        update(p)
        .where(p.c.id == CONFIGURATION_ID, p.c.version == expected_version)
        .values(**values, version=p.c.version + 1)
        .returning(*p.c)
    )
    row = conn.execute(stmt).mappings().first()
    return None if row is None else cast(ProjectConfiguration, record_with_times(row, ("updated_at",)))
