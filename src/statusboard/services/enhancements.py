"""Use cases for planned enhancements: create, versioned update, list; depends_on without cycles."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from statusboard.domain.clock import Clock
from statusboard.domain.enhancements import (
    EnhancementChanges,
    NewEnhancement,
    check_enhancement_links,
    enhancement_changes,
    enhancement_filters,
    without_repeats,
)
from statusboard.domain.errors import NotFoundError, VersionConflictError
from statusboard.domain.records import Enhancement, EnhancementList
from statusboard.domain.validation import new_id
from statusboard.services.changes import ChangeEntry, record
from statusboard.storage.database import ENHANCEMENT_LOCK, Database
from statusboard.storage.repositories import enhancements as repo

ENTITY = "enhancement"


class EnhancementService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def create(self, actor: str, draft: NewEnhancement) -> Enhancement:
        depends_on = without_repeats(draft.depends_on)
        enhancement_id = new_id()

        def work(conn: Connection) -> Enhancement:
            # A new enhancement has no dependents yet, so its links cannot close a cycle.
            _check_exist(conn, depends_on)
            now = self._clock.now()
            values = draft.model_dump(exclude={"depends_on"})
            audit = {"created_at": now, "updated_at": now, "created_by": actor, "updated_by": actor}
            repo.insert(conn, {**values, "id": enhancement_id, "version": 1, **audit})
            repo.replace_links(conn, enhancement_id, depends_on)
            fields = {**draft.model_dump(exclude_none=True), "depends_on": depends_on}
            record(self._db, conn, actor, now, [ChangeEntry(ENTITY, enhancement_id, 1, "create", fields)])
            created = repo.get(conn, enhancement_id)
            assert created is not None
            return created

        return self._db.write(work)

    def update(self, actor: str, enhancement_id: str, version: int, changes: EnhancementChanges) -> Enhancement:
        given = enhancement_changes(changes)

        def work(conn: Connection) -> Enhancement:
            if "depends_on" in given:
                # Cycle checks read every link: no other link change may slip in meanwhile.
                self._db.lock(conn, ENHANCEMENT_LOCK)
            current = repo.get(conn, enhancement_id)
            if current is None:
                raise NotFoundError(ENTITY, id=enhancement_id)
            if current["version"] != version:
                raise VersionConflictError(version, current["version"], current)
            values = {key: value for key, value in given.items() if key != "depends_on"}
            if "depends_on" in given:
                _check_exist(conn, given["depends_on"])
                edges = repo.all_links(conn)
                check_enhancement_links(enhancement_id, given["depends_on"], lambda other: edges.get(other, ()))
            now = self._clock.now()
            audit = {"updated_at": now, "updated_by": actor}
            if not repo.conditional_update(conn, enhancement_id, version, {**values, **audit}):
                latest = repo.get(conn, enhancement_id)
                assert latest is not None, "enhancements are never deleted"
                raise VersionConflictError(version, latest["version"], latest)
            if "depends_on" in given:
                repo.replace_links(conn, enhancement_id, given["depends_on"])
            record(self._db, conn, actor, now, [ChangeEntry(ENTITY, enhancement_id, version + 1, "update", given)])
            updated = repo.get(conn, enhancement_id)
            assert updated is not None
            return updated

        return self._db.write(work)

    def list(
        self, priority: str | None = None, status: str | None = None, target_quarter: str | None = None
    ) -> EnhancementList:
        filters = enhancement_filters(priority, status, target_quarter)
        with self._db.reading() as conn:
            items = repo.listing(conn, **filters)
        return {"enhancements": items, "total_count": len(items)}


def _check_exist(conn: Connection, ids: Sequence[str]) -> None:
    found = repo.existing_ids(conn, ids)
    for other in ids:
        if other not in found:
            raise NotFoundError(ENTITY, id=other)
