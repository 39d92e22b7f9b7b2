"""Use cases for vendors: create, query by name (any case), versioned status updates, list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from statusboard.domain.clock import Clock
from statusboard.domain.errors import NotFoundError, VersionConflictError
from statusboard.domain.records import Vendor, VendorList
from statusboard.domain.validation import new_id
from statusboard.domain.vendors import (
    NewVendor,
    name_key,
    name_taken,
    new_vendor_row,
    refuse_empty_vendor_change,
    validate_vendor_metadata,
    vendor_changes,
)
from statusboard.services.changes import ChangeEntry, record
from statusboard.storage.database import Database
from statusboard.storage.repositories import vendors as repo

ENTITY = "vendor"


class VendorService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def create(self, actor: str, draft: NewVendor) -> Vendor:
        metadata = validate_vendor_metadata(draft.metadata)

        def work(conn: Connection) -> Vendor:
            now = self._clock.now()
            vendor = repo.insert(conn, new_vendor_row(new_id(), draft, metadata, actor, now))
            if vendor is None:
                raise name_taken(draft.name)
            fields = {"name": draft.name, "status": draft.status, "metadata": metadata}
            record(self._db, conn, actor, now, [ChangeEntry(ENTITY, vendor["id"], 1, "create", fields)])
            return vendor

        return self._db.write(work)

    def query(self, name: str) -> Vendor:
        key = name_key(name)
        if self._db.reads_direct:  # a hot read of one statement
            vendor = self._db.read_direct(lambda direct: repo.by_key_on(direct, key))
        else:
            with self._db.reading() as conn:
                vendor = repo.by_key(conn, key)
        if vendor is None:
            raise NotFoundError(ENTITY, name=name)
        return vendor

    def update_status(
        self, actor: str, name: str, version: int, status: str | None = None, metadata: dict[str, Any] | None = None
    ) -> Vendor:
        refuse_empty_vendor_change(status, metadata)
        key = name_key(name)

        def work(conn: Connection) -> Vendor:
            current = repo.by_key(conn, key)
            if current is None:
                raise NotFoundError(ENTITY, name=name)
            if current["version"] != version:
                raise VersionConflictError(version, current["version"], current)
            values = vendor_changes(current["metadata"], status, metadata)
            now = self._clock.now()
            updated = repo.conditional_update(conn, key, version, {**values, "updated_at": now, "updated_by": actor})
            if updated is None:  # changed between our read and our write (PostgreSQL)
                latest = repo.by_key(conn, key)
                assert latest is not None, "vendors are never deleted"
                raise VersionConflictError(version, latest["version"], latest)
            entry = ChangeEntry(ENTITY, updated["id"], updated["version"], "update", values)
            record(self._db, conn, actor, now, [entry])
            return updated

        return self._db.write(work)

    def list(self, status: str | None = None) -> VendorList:
        with self._db.reading() as conn:
            vendors = repo.listing(conn, status)
        return {"vendors": vendors, "total_count": len(vendors)}
