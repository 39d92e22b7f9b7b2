"""SQL for the common claim, on the driver's own connection (see storage/direct.py): an item
that exists, may be claimed (not deleted, archived or completed) and that nobody holds gets a
claim and its change-log entry in the fewest steps.

- PostgreSQL: one statement, its own transaction (one round trip). It locks the item row as
  every claim does (FOR NO KEY UPDATE), opens the item's first claim (epoch 1) with ON
  CONFLICT DO NOTHING, and appends the change-log entry holding the change-log lock shared as its
  last step (see services/changes.py). The unique indexes decide, not a lookup: an open claim
  conflicts on the open-claim index, an earlier claim on (work_item_id, epoch), and so does a
  claim committed while the statement waited for the row lock (which its snapshot cannot
  see). The statement reads nothing from work_item_claims: a prepared statement's cached
  plan, made while that table was small, would scan it whole on every claim ever after.
- SQLite, inside BEGIN IMMEDIATE (no other writer runs): one read of the item, if it may be
  claimed and has no open claim, with its last epoch; then two INSERTs.

No row back means the common case does not apply (missing, deleted, archived, completed,
held, expired, claimed before on PostgreSQL, or a race lost): the caller then takes the
careful path, which claims the item or tells why not.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Dialect

from statusboard.domain.claims import token
from statusboard.domain.clock import as_utc, iso
from statusboard.storage.database import CHANGE_LOG_LOCK
from statusboard.storage.direct import Direct
from statusboard.storage.driver_reads import Converter
from statusboard.storage.repositories.work_items import COLUMNS, WorkItemRow, to_record
from statusboard.storage.tables import work_items


@dataclass(frozen=True)
class FreshClaim:
    item_id: str
    claim_id: str
    secret: str  # the token is "<epoch>.<secret>" (domain/claims.py)
    holder: str
    claimed_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class LogEntry:
    """The change-log entry the claim appends; its fields get the claim's epoch added."""

    entity: str
    op: str
    actor: str
    fields: dict[str, Any]
    idempotency_key: str | None


_ITEM_COLUMNS = ", ".join(COLUMNS)
_VERSION = COLUMNS.index("version")
_CLAIMABLE = "id = {id} AND deleted_at IS NULL AND NOT archived AND status <> 'completed'"
_OPEN_CLAIM = "SELECT 1 FROM work_item_claims WHERE work_item_id = {id} AND ended_at IS NULL"

FIRST_EPOCH = 1
_POSTGRESQL = f"""
WITH item AS (
    SELECT {_ITEM_COLUMNS} FROM work_items
    WHERE {_CLAIMABLE.format(id="%(item_id)s")}
    FOR NO KEY UPDATE
), claim AS (
    INSERT INTO work_item_claims (id, work_item_id, epoch, token, holder, claimed_at, expires_at)
    SELECT %(claim_id)s, item.id, %(epoch)s, %(token)s, %(holder)s, %(claimed_at)s, %(expires_at)s
    FROM item
    ON CONFLICT DO NOTHING
    RETURNING work_item_id
), logged AS (
    INSERT INTO change_log (entity, entity_id, version, op, actor, at, fields, idempotency_key)
    SELECT %(entity)s, item.id, item.version, %(op)s, %(actor)s, %(claimed_at)s, %(fields)s::jsonb,
           %(idempotency_key)s
    FROM claim, item, LATERAL (SELECT pg_advisory_xact_lock_shared(%(change_log_lock)s)) AS turn
)
SELECT row_to_json(item)::text FROM item, claim
"""

_SQLITE_ITEM = f"""
SELECT {_ITEM_COLUMNS}, (SELECT max(epoch) FROM work_item_claims WHERE work_item_id = :item_id)
FROM work_items
WHERE {_CLAIMABLE.format(id=":item_id")} AND NOT EXISTS ({_OPEN_CLAIM.format(id=":item_id")})
"""
_SQLITE_CLAIM = """
INSERT INTO work_item_claims (id, work_item_id, epoch, token, holder, claimed_at, expires_at)
VALUES (:claim_id, :item_id, :epoch, :token, :holder, :claimed_at, :expires_at)
"""
_SQLITE_LOG = """
INSERT INTO change_log (entity, entity_id, version, op, actor, at, fields, idempotency_key)
VALUES (:entity, :item_id, :version, :op, :actor, :claimed_at, :fields, :idempotency_key)
"""


@dataclass(frozen=True)
class Opened:
    """A claim opened: the item's row as the driver read it (PostgreSQL: one JSON text), and the
    epoch the claim got."""

    claim: FreshClaim
    values: Sequence[Any]
    epoch: int
    dialect: Dialect

    @property
    def token(self) -> str:
        return token(self.epoch, self.claim.secret)

    def item(self) -> WorkItemRow:
        """The item as `to_record` gives it (decoded after the transaction, off the write lock)."""
        if self.dialect.name == "postgresql":
            return _item_from_json(self.values[0])
        return _item(self.dialect, self.values)


@dataclass(frozen=True)
class Prepared:
    """A claim's parameters, made before the write (outside SQLite's writer turn), for the first
    epoch; `for_epoch` remakes what depends on the epoch, for an item claimed before."""

    claim: FreshClaim
    params: dict[str, Any]
    fields: dict[str, Any]

    def for_epoch(self, epoch: int) -> dict[str, Any]:
        if epoch == FIRST_EPOCH:
            return self.params
        fields = _log_fields(self.fields, epoch)
        return {**self.params, "epoch": epoch, "token": token(epoch, self.claim.secret), "fields": fields}


def prepare(backend: str, claim: FreshClaim, log: LogEntry) -> Prepared:
    """The parameters of `open_if_unheld`, bound as the backend's driver takes them."""
    sqlite = backend == "sqlite"
    params = {
        "item_id": claim.item_id,
        "claim_id": claim.claim_id,
        "holder": claim.holder,
        "claimed_at": sqlite_time(claim.claimed_at) if sqlite else claim.claimed_at,
        "expires_at": sqlite_time(claim.expires_at) if sqlite else claim.expires_at,
        "entity": log.entity,
        "op": log.op,
        "actor": log.actor,
        "idempotency_key": log.idempotency_key,
        "epoch": FIRST_EPOCH,
        "token": token(FIRST_EPOCH, claim.secret),
        "fields": _log_fields(log.fields, FIRST_EPOCH),
        "change_log_lock": CHANGE_LOG_LOCK,
    }
    return Prepared(claim, params, log.fields)


def _log_fields(fields: dict[str, Any], epoch: int) -> str:
    """The entry's fields as JSON text: PostgreSQL casts it to jsonb, SQLite stores it as is."""
    return sqlite_json({**fields, "epoch": epoch})


def open_if_unheld(direct: Direct, prepared: Prepared) -> Opened | None:
    """Opens the claim and logs it if the item may be claimed and nobody holds it; None if the
    common case does not apply."""
    if direct.backend == "postgresql":
        row = direct.execute(_POSTGRESQL, prepared.params).fetchone()
        return None if row is None else Opened(prepared.claim, row, FIRST_EPOCH, direct.dialect)
    row = direct.execute(_SQLITE_ITEM, prepared.params).fetchone()
    if row is None:
        return None
    epoch = int(row[-1] or 0) + 1
    params = {**prepared.for_epoch(epoch), "version": row[_VERSION]}
    direct.execute(_SQLITE_CLAIM, params)
    direct.execute(_SQLITE_LOG, params)
    return Opened(prepared.claim, row[:-1], epoch, direct.dialect)


# -- values as SQLAlchemy would bind and read them ------------------------------------------


def sqlite_time(value: datetime) -> str:
    """A timestamp as the Timestamp column stores it in SQLite: its instant in UTC, in SQLAlchemy's
    DATETIME storage format, which drops the zone. Stored timestamps are compared as text, so this
    must be exactly SQLAlchemy's (tests/storage/test_direct_writes.py checks it)."""
    return as_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def sqlite_json(value: Any) -> str:
    """JSON as SQLAlchemy writes it (the engine has no serializer of its own: json.dumps)."""
    return json.dumps(value)


def _item_from_json(text: str) -> WorkItemRow:
    """A work item PostgreSQL sent as `row_to_json` text (one column: far cheaper to send and to
    read than eighteen), as `to_record` gives it: JSON has its values, timestamps aside, which
    come in the session's zone with trailing zeros dropped and are written as `iso` writes them."""
    item: WorkItemRow = json.loads(text)
    for key in _TIMES:
        value = item[key]
        if value is not None:
            item[key] = iso(datetime.fromisoformat(value))
    return item


_TIMES = ("created_at", "updated_at", "deleted_at")
_ITEM = Converter(work_items.c)


def _item(dialect: Dialect, values: Sequence[Any]) -> WorkItemRow:
    """A work item row read by the driver, converted as SQLAlchemy would, then as `to_record`."""
    return to_record(_ITEM.row(dialect, values))
