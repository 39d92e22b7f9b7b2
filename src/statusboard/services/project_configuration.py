"""The project configuration: read it, or change it at the version you read."""

from __future__ import annotations

from sqlalchemy import Connection

from statusboard.domain.clock import Clock
from statusboard.domain.errors import VersionConflictError
from statusboard.domain.project_configuration import CONFIGURATION_ID, ConfigurationChanges, configuration_changes
from statusboard.domain.records import ProjectConfiguration
from statusboard.services.changes import ChangeEntry, record
from statusboard.storage.database import Database
from statusboard.storage.repositories import project_configuration as repo

ENTITY = "project_configuration"


class ProjectConfigurationService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def get(self) -> ProjectConfiguration:
        with self._db.reading() as conn:
            return repo.get(conn)

    def update(self, actor: str, version: int, changes: ConfigurationChanges) -> ProjectConfiguration:
        given = configuration_changes(changes)

        def work(conn: Connection) -> ProjectConfiguration:
            now = self._clock.now()
            updated = repo.conditional_update(conn, version, {**given, "updated_at": now, "updated_by": actor})
            if updated is None:
                current = repo.get(conn)
                raise VersionConflictError(version, current["version"], current)
            entry = ChangeEntry(ENTITY, CONFIGURATION_ID, updated["version"], "update", given)
            record(self._db, conn, actor, now, [entry])
            return updated

        return self._db.write(work)
