"""The fallback cache's copy of what the status file shows, kept field by field.

While the primary answers, the cache's copy is brought up to the settled seq every few
seconds. At large data sets, reading all of it and encoding it as JSON takes the server's
interpreter long enough for its requests to notice; so a server
keeps each field's rows and JSON text, and reads and encodes again only the fields whose
entities the change log names since (by the table the kept status reads too,
domain/change_sources: a claim, the configuration or a dependency changes nothing here).
The first copy a process takes reads everything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from statusboard.domain import change_sources
from statusboard.domain.change_sources import (
    ARCHIVED_COUNT,
    DEPLOYMENTS,
    ENHANCEMENTS,
    SESSION_PROMPTS,
    VENDORS,
    WORK_ITEMS,
)
from statusboard.services.status import every_deployment
from statusboard.storage.database import Database
from statusboard.storage.repositories import archive as archive_repo
from statusboard.storage.repositories import changes as changes_repo
from statusboard.storage.repositories import enhancements as enhancements_repo
from statusboard.storage.repositories import session_prompts as prompts_repo
from statusboard.storage.repositories import vendors as vendors_repo
from statusboard.storage.repositories import work_items as items_repo

Values = dict[str, Any]
# Each field and how it is read (given the fields read before it: deployments name their
# vendors). In StatusData's order.
_FIELDS: dict[str, Callable[[Connection, Values], Any]] = {
    VENDORS: lambda conn, _: vendors_repo.outline(conn),
    WORK_ITEMS: lambda conn, _: items_repo.live_outline(conn),
    DEPLOYMENTS: lambda conn, read: every_deployment(conn, _vendors(conn, read)),
    ENHANCEMENTS: lambda conn, _: enhancements_repo.outline(conn),
    SESSION_PROMPTS: lambda conn, _: prompts_repo.listing(conn)[0],
}
_EVERYTHING = frozenset([*_FIELDS, ARCHIVED_COUNT])


def _vendors(conn: Connection, read: Values) -> Any:
    """The vendors read in this refresh, or read now (the kept fields are JSON text only)."""
    if VENDORS not in read:
        read[VENDORS] = vendors_repo.outline(conn)
    return read[VENDORS]


class SnapshotFields:
    def __init__(self) -> None:
        self.seq: int | None = None  # the settled seq the kept fields are right at
        self.archived_count = 0
        # Text only: thousands of rows kept alive would make every full garbage collection of
        # the server's process walk them.
        self._texts: dict[str, str] = {}

    def bring_to(self, db: Database, seq: int) -> bool:
        """Brings the kept fields to the settled `seq`, read on a snapshot taken after it
        settled; False when nothing they show changed."""
        with db.snapshot() as conn:
            stale = self._stale(conn)
            if not stale:
                self.seq = seq
                return False
            read: Values = {}
            for name, reader in _FIELDS.items():
                if name in stale:
                    read[name] = reader(conn, read)
            if ARCHIVED_COUNT in stale:
                self.archived_count = archive_repo.count(conn)
        for name in _FIELDS:
            if name in stale:
                self._texts[name] = json.dumps(read[name], default=str)
        self.seq = seq
        return True

    def payload(self) -> str:
        """The kept fields as one JSON object (StatusData's fields)."""
        return "{" + ", ".join(f"{json.dumps(name)}: {self._texts[name]}" for name in _FIELDS) + "}"

    def _stale(self, conn: Connection) -> frozenset[str]:
        if self.seq is None:
            return _EVERYTHING
        stale = change_sources.stale(changes_repo.touched_since(conn, self.seq))
        return _EVERYTHING if stale is None else stale & _EVERYTHING
