"""Archiving: move old work items out of the live table, in one transaction that can be cancelled.

The move happens in chunks, deepest items first (children leave before their parents),
checking the cancel token before each chunk and reporting progress after it. A
cancellation, or any failure, rolls the whole transaction back: nothing is half-moved.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection

from statusboard.domain.answers import ArchivingDone, within_bytes
from statusboard.domain.archiving import archivable
from statusboard.domain.cancellation import CancelToken, Progress
from statusboard.domain.clock import Clock, iso
from statusboard.domain.entities import ArchivedPage, WorkItemAnswer
from statusboard.services.changes import ChangeEntry, record
from statusboard.storage.database import DEPENDENCY_LOCK, HIERARCHY_LOCK, Database
from statusboard.storage.repositories import archive as repo

ENTITY = "work_item"
CHUNK = 200


class ArchivingService:
    def __init__(self, db: Database, clock: Clock, chunk_size: int = CHUNK) -> None:
        self._db = db
        self._clock = clock
        self._chunk = chunk_size

    def trigger(
        self,
        actor: str,
        older_than_days: int = 365,
        *,
        cancel: CancelToken | None = None,
        progress: Progress | None = None,
    ) -> ArchivingDone:
        def work(conn: Connection) -> ArchivingDone:
            # Moves whole subtrees and drops dependency rows: no re-parenting or new links meanwhile.
            self._db.lock(conn, HIERARCHY_LOCK)
            self._db.lock(conn, DEPENDENCY_LOCK)
            now = self._clock.now()
            cutoff = now - timedelta(days=older_than_days)
            places, old, links = repo.snapshot(conn, cutoff, now)
            chosen = archivable({item: place[0] for item, place in places.items()}, old, links)
            ordered = sorted(chosen, key=lambda item: (-places[item][1], item))
            entries: list[ChangeEntry] = []
            for start in range(0, len(ordered), self._chunk):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                moved = repo.move(conn, ordered[start : start + self._chunk], now, actor)
                entries += [ChangeEntry(ENTITY, item["id"], item["version"], "archive", {}) for item in moved]
                if progress is not None:
                    progress(min(start + self._chunk, len(ordered)), len(ordered))
            if cancel is not None:
                cancel.raise_if_cancelled()
            record(self._db, conn, actor, now, entries)
            return {"archived_count": len(ordered), "older_than_days": older_than_days, "cutoff": iso(cutoff)}

        return self._db.write(work)

    def list(self, limit: int = 50, offset: int = 0) -> ArchivedPage:
        """As many archived items as `limit` asks and the answer's byte bound allows; an archived
        item holds no claim."""
        with self._db.reading() as conn:
            items, total = repo.page(conn, limit, offset)
        rows: list[WorkItemAnswer] = [{**item, "claim": None} for item in items]
        shown = within_bytes(rows)
        return {
            "items": shown,
            "total_count": total,
            "limit": limit,
            "offset": offset,
            "has_more": offset + len(shown) < total,
        }
