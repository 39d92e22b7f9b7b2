"""The fallback cache's copy of what the status file shows, kept field by field.

While the primary answers, the cache's copy is brought up to the settled seq every few
seconds. At 100 times the seed's data, reading all of it and encoding it as JSON costs
~250 ms of the server's time, while its requests wait for the interpreter; so a server
keeps each field's rows and JSON text, and reads and encodes again only the fields whose
entities the change log names since (the rules of the kept status, services/status_parts:
a claim, the configuration or a dependency changes nothing here). The first copy a
process takes reads everything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from statusboard.services.status import every_deployment
from statusboard.services.status_parts import INERT, KNOWN
from statusboard.storage.database import Database
from statusboard.storage.repositories import archive as archive_repo
from statusboard.storage.repositories import changes as changes_repo
from statusboard.storage.repositories import enhancements as enhancements_repo
from statusboard.storage.repositories import session_prompts as prompts_repo
from statusboard.storage.repositories import vendors as vendors_repo
from statusboard.storage.repositories import work_items as items_repo

Values = dict[str, Any]
# Each field, the change-log entities whose writes can change it, and how it is read (given
# the fields read before it: deployments show their vendors). In StatusData's order.
_FIELDS: list[tuple[str, frozenset[str], Callable[[Connection, Values], Any]]] = [
    ("vendors", frozenset({"vendor"}), lambda conn, _: vendors_repo.outline(conn)),
    ("work_items", frozenset({"work_item"}), lambda conn, _: items_repo.live_outline(conn)),
    (
        "deployments",
        frozenset({"deployment", "vendor"}),
        lambda conn, read: every_deployment(conn, {vendor["id"]: vendor for vendor in _vendors(conn, read)}),
    ),
    ("enhancements", frozenset({"enhancement"}), lambda conn, _: enhancements_repo.outline(conn)),
    ("session_prompts", frozenset({"session_prompt"}), lambda conn, _: prompts_repo.listing(conn)[0]),
]
_ARCHIVED_SOURCES = frozenset({"work_item"})  # archiving logs each item it moves as work_item / archive


def _vendors(conn: Connection, read: Values) -> Any:
    """The vendors read in this refresh, or read now (the kept fields are JSON text only)."""
    if "vendors" not in read:
        read["vendors"] = vendors_repo.outline(conn)
    return read["vendors"]


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
            for name, _, reader in _FIELDS:
                if name in stale:
                    read[name] = reader(conn, read)
            if "archived_count" in stale:
                self.archived_count = archive_repo.count(conn)
        for name, _, _ in _FIELDS:
            if name in stale:
                self._texts[name] = json.dumps(read[name], default=str)
        self.seq = seq
        return True

    def payload(self) -> str:
        """The kept fields as one JSON object (StatusData's fields)."""
        return "{" + ", ".join(f"{json.dumps(name)}: {self._texts[name]}" for name, _, _ in _FIELDS) + "}"

    def _stale(self, conn: Connection) -> frozenset[str]:
        everything = frozenset([*(name for name, _, _ in _FIELDS), "archived_count"])
        if self.seq is None:
            return everything
        touched = {entity for entity, op in changes_repo.touched_since(conn, self.seq) if (entity, op) not in INERT}
        if not touched <= KNOWN:
            return everything
        stale = {name for name, sources, _ in _FIELDS if not sources.isdisjoint(touched)}
        if not _ARCHIVED_SOURCES.isdisjoint(touched):
            stale.add("archived_count")
        return frozenset(stale)
