"""Builds the object graph from settings. Tests call the same function."""

from __future__ import annotations

from dataclasses import dataclass

from statusboard.config import Settings
from statusboard.domain.clock import Clock, SystemClock
from statusboard.services.archiving import ArchivingService
from statusboard.services.changes import ChangeLogService
from statusboard.services.claims import ClaimService
from statusboard.services.dependencies import DependencyService
from statusboard.services.work_items import WorkItemService
from statusboard.storage import schema
from statusboard.storage.database import Database
from statusboard.storage.engine import build_engine


@dataclass
class App:
    settings: Settings
    db: Database
    work_items: WorkItemService
    dependencies: DependencyService
    changes: ChangeLogService
    claims: ClaimService
    archiving: ArchivingService

    def close(self) -> None:
        self.db.engine.dispose()


def build_app(settings: Settings, *, clock: Clock | None = None, migrate: bool = True) -> App:
    engine = build_engine(settings.database_url)
    if migrate:
        schema.ensure_current(engine)
    db = Database(engine)
    clock = clock or SystemClock()
    return App(
        settings=settings,
        db=db,
        work_items=WorkItemService(db, clock),
        dependencies=DependencyService(db, clock),
        changes=ChangeLogService(db),
        claims=ClaimService(db, clock),
        archiving=ArchivingService(db, clock),
    )
