"""Use cases for dependencies between work items, kept free of cycles."""

from __future__ import annotations

from sqlalchemy import Connection

from statusboard.domain.clock import Clock
from statusboard.domain.dependencies import (
    dependency_key,
    execution_order,
    new_dependency,
    refuse_deleted_end,
    refuse_existing_dependency,
    refuse_self_dependency,
)
from statusboard.domain.entities import Dependency
from statusboard.domain.errors import NotFoundError, ValidationError
from statusboard.domain.validation import new_id
from statusboard.services.changes import ChangeEntry, record
from statusboard.storage.database import DEPENDENCY_LOCK, Database
from statusboard.storage.repositories import dependencies as repo
from statusboard.storage.repositories import work_items as items_repo

ENTITY = "dependency"


class DependencyService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def add(self, actor: str, work_item_id: str, depends_on_id: str, dependency_type: str) -> Dependency:
        refuse_self_dependency(work_item_id, depends_on_id)
        first, then = execution_order(work_item_id, depends_on_id, dependency_type)

        def work(conn: Connection) -> Dependency:
            # Cycle checks read the whole graph: two concurrent additions must take turns.
            self._db.lock(conn, DEPENDENCY_LOCK)
            for field, item_id in (("work_item_id", work_item_id), ("depends_on_id", depends_on_id)):
                item = items_repo.get_for_share(conn, item_id)
                if item is None:
                    raise NotFoundError("work_item", id=item_id)
                refuse_deleted_end(field, item)
            refuse_existing_dependency(repo.get(conn, work_item_id, depends_on_id))
            if repo.precedes(conn, then, first):
                raise ValidationError.single("depends_on_id", "would create a dependency cycle")
            now = self._clock.now()
            row = repo.insert(conn, new_dependency(new_id(), work_item_id, depends_on_id, dependency_type, actor, now))
            fields = {
                "work_item_id": work_item_id,
                "depends_on_id": depends_on_id,
                "dependency_type": dependency_type,
            }
            record(self._db, conn, actor, now, [ChangeEntry(ENTITY, row["id"], None, "create", fields)])
            return row

        return self._db.write(work)

    def remove(self, actor: str, work_item_id: str, depends_on_id: str) -> Dependency:
        def work(conn: Connection) -> Dependency:
            row = repo.remove(conn, work_item_id, depends_on_id)
            if row is None:
                raise NotFoundError(ENTITY, id=dependency_key(work_item_id, depends_on_id))
            now = self._clock.now()
            fields = {"work_item_id": work_item_id, "depends_on_id": depends_on_id}
            record(self._db, conn, actor, now, [ChangeEntry(ENTITY, row["id"], None, "delete", fields)])
            return row

        return self._db.write(work)
