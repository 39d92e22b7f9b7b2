"""The common claim, on a kept driver connection (see storage/direct.py): an item that exists,
may be claimed (`claims.claimable`) and that nobody holds gets a claim and its change-log
entry in the fewest steps. Its statements are Core, built from the same parts as the careful
path's (the claimable rule, the last epoch, the claim's row, the change-log append and its
row), compiled once per dialect (storage/driver_sql.py).

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
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, select, true
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

from statusboard.domain.claims import token
from statusboard.domain.clock import iso
from statusboard.domain.entities import WorkItem
from statusboard.storage.direct import Direct
from statusboard.storage.driver_sql import DriverStatement
from statusboard.storage.repositories import changes
from statusboard.storage.repositories.claims import claimable, last_epoch, new_claim_row, open_claim_exists
from statusboard.storage.repositories.work_items import to_record
from statusboard.storage.tables import work_item_claims as c
from statusboard.storage.tables import work_items as t


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


FIRST_EPOCH = 1
_CLAIM_KEYS = tuple(column.name for column in c.c)


def _one_statement() -> DriverStatement:
    """PostgreSQL's claim in one statement (see the module's docstring)."""
    bound = {name: bindparam(name, type_=c.c[name].type) for name in _CLAIM_KEYS if name != "work_item_id"}
    item = (
        select(t)
        .where(t.c.id == bindparam("item_id", type_=t.c.id.type), claimable(t))
        .with_for_update(key_share=True)
        .cte("item")
    )
    claim_values = [item.c.id if name == "work_item_id" else bound[name] for name in _CLAIM_KEYS]
    claim = (
        postgresql.insert(c)
        .from_select(_CLAIM_KEYS, select(*claim_values))
        .on_conflict_do_nothing()
        .returning(c.c.work_item_id)
        .cte("claim")
    )
    turn = select(changes.append_turn()).lateral("turn")
    source = claim.join(item, claim.c.work_item_id == item.c.id).join(turn, true())
    logged = changes.append_selected(item.c.id, item.c.version, source).cte("logged")
    # The item as one JSON text: far cheaper to send and to read than eighteen columns.
    as_json = cast(func.row_to_json(item.table_valued()), Text)
    statement = select(as_json).select_from(item.join(claim, claim.c.work_item_id == item.c.id)).add_cte(logged)
    return DriverStatement(statement)


_POSTGRESQL = _one_statement()
_ITEM = select(t, last_epoch(t.c.id)).where(t.c.id == bindparam("item_id"), claimable(t), ~open_claim_exists(t.c.id))
_SQLITE_ITEM = DriverStatement(_ITEM, columns=_ITEM.selected_columns)
_SQLITE_CLAIM = DriverStatement(c.insert(), keys=_CLAIM_KEYS)
_VERSION = list(t.c.keys()).index("version")


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

    def item(self) -> WorkItem:
        """The item as `to_record` gives it (decoded after the transaction, off the write lock)."""
        if self.dialect.name == "postgresql":
            return _item_from_json(self.values[0])
        return to_record(_SQLITE_ITEM.converted(self.dialect, self.values)[:-1])


@dataclass(frozen=True)
class Prepared:
    """A claim's parameters, bound for the driver before the write (outside SQLite's writer
    turn), for the first epoch; `for_epoch` binds them again for an item claimed before.
    PostgreSQL's one statement takes `claim_params` alone."""

    claim: FreshClaim
    log: LogEntry
    dialect: Dialect
    claim_params: Mapping[str, Any]
    log_params: Mapping[str, Any]  # SQLite: all but the item's version, read in the write

    def for_epoch(self, epoch: int, version: int) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
        """SQLite: the claim's and the change-log entry's parameters, once the item is read."""
        if epoch == FIRST_EPOCH:
            return self.claim_params, {**self.log_params, "version": version}
        claim, log = _rows(self.claim, self.log, epoch, version)
        return _SQLITE_CLAIM.compiled(self.dialect).params(claim), changes.APPEND_ONE.compiled(self.dialect).params(log)


def prepare(dialect: Dialect, claim: FreshClaim, log: LogEntry) -> Prepared:
    """The parameters of `open_if_unheld`, bound as the dialect's driver takes them."""
    claim_row, log_row = _rows(claim, log, FIRST_EPOCH, None)
    if dialect.name == "postgresql":
        params = _POSTGRESQL.compiled(dialect).params({**claim_row, **log_row, "item_id": claim.item_id})
        return Prepared(claim, log, dialect, params, {})
    claim_params = _SQLITE_CLAIM.compiled(dialect).params(claim_row)
    return Prepared(claim, log, dialect, claim_params, changes.APPEND_ONE.compiled(dialect).params(log_row))


def _rows(claim: FreshClaim, log: LogEntry, epoch: int, version: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The claim's row and its change-log entry's, from the builders the careful path uses."""
    claim_row = new_claim_row(
        claim.claim_id,
        claim.item_id,
        epoch,
        token(epoch, claim.secret),
        claim.holder,
        claim.claimed_at,
        claim.expires_at,
    )
    entry = changes.ChangeEntry(log.entity, claim.item_id, version, log.op, {**log.fields, "epoch": epoch})
    [log_row] = changes.entry_rows(log.actor, claim.claimed_at, [entry], log.idempotency_key)
    return claim_row, log_row


def open_if_unheld(direct: Direct, prepared: Prepared) -> Opened | None:
    """Opens the claim and logs it if the item may be claimed and nobody holds it; None if the
    common case does not apply."""
    if direct.backend == "postgresql":
        row = direct.execute(_POSTGRESQL.sql(direct.dialect), prepared.claim_params).fetchone()
        return None if row is None else Opened(prepared.claim, row, FIRST_EPOCH, direct.dialect)
    # Converted after the transaction (`Opened.item`): the writer turn is every writer's wait.
    found = _SQLITE_ITEM.execute_on(direct, {"item_id": prepared.claim.item_id}).fetchone()
    if found is None:
        return None
    epoch = int(found[-1] or 0) + 1
    claim_params, log_params = prepared.for_epoch(epoch, int(found[_VERSION]))
    direct.execute(_SQLITE_CLAIM.sql(direct.dialect), claim_params)
    direct.execute(changes.APPEND_ONE.sql(direct.dialect), log_params)
    return Opened(prepared.claim, found, epoch, direct.dialect)


def _item_from_json(text: str) -> WorkItem:
    """A work item PostgreSQL sent as `row_to_json` text, as `to_record` gives it: JSON has its
    values, timestamps aside, which come in the session's zone with trailing zeros dropped and
    are written as `iso` writes them."""
    item: dict[str, Any] = json.loads(text)
    for key in _TIMES:
        value = item[key]
        if value is not None:
            item[key] = iso(datetime.fromisoformat(value))
    return typing.cast(WorkItem, item)


_TIMES = ("created_at", "updated_at", "deleted_at")
