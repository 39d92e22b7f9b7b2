"""The change log: every write appends its entries in its own transaction.

On PostgreSQL, sequence numbers are handed out before commit, so two writers may commit
out of order and a reader that already moved past seq 12 would never see seq 11. Writers
therefore append holding a transaction-level advisory lock shared (as the last step of
the write, so it is held only from the append to the commit, and writers never wait for
one another); a reader takes it exclusively for one statement to learn the settled seq
(every entry up to it committed) and reads no further than that. SQLite writers already
take turns. See docs/decisions/0002-change-log-order.md.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from statusboard.domain.answers import within_bytes
from statusboard.domain.entities import ChangesPage
from statusboard.domain.write_intent import current_key
from statusboard.storage.database import CHANGE_LOG_LOCK, Database
from statusboard.storage.repositories import changes as repo
from statusboard.storage.repositories.changes import ChangeEntry

__all__ = ["ChangeEntry", "ChangeLogService", "ChangesPage", "record"]


def record(db: Database, conn: Connection, actor: str, at: datetime, entries: list[ChangeEntry]) -> None:
    """Appends the entries; call it last in the transaction, after every row lock is taken."""
    db.lock(conn, CHANGE_LOG_LOCK, shared=True)
    rows = repo.entry_rows(actor, at, entries, current_key())
    if rows:
        repo.append_many(conn, rows)


class ChangeLogService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def list_changes(self, since_seq: int = 0, limit: int = 100) -> ChangesPage:
        """The entries after `since_seq`, as many as `limit` asks and the answer's byte bound allows."""
        with self._db.reading() as conn:
            found = repo.since(conn, since_seq, repo.settled_seq(conn), limit + 1)
        rows = within_bytes(found[:limit])
        has_more = len(found) > len(rows)
        return {
            "changes": rows,
            "last_seq": rows[-1]["seq"] if rows else since_seq,
            "has_more": has_more,
        }
