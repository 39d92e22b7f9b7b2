"""Use cases for claims: find ready work, claim it (by id or the next one), renew, release.

Every claim transaction first takes the item's row write lock (PostgreSQL; on SQLite,
BEGIN IMMEDIATE already makes writers take turns), so a claim and a write to the same
item never interleave. The common claim by id, an item nobody holds, takes a fast path
first (one statement on PostgreSQL, see storage/repositories/fresh_claims.py); the careful
path below handles the rest and says why a claim is refused. Claiming the next item skips
rows that other claimants hold locked (SKIP LOCKED), so parallel claimants spread over the
ready items instead of queueing on the oldest one, and waits for a held one rather than
answer "nothing ready" while one is. The partial unique index on open claims backs all of it.

Possession of the token proves a claim (domain/claims.py): asking again for an item one holds
returns the same claim only to a caller that presents its token; without it, even under the
holder's name, the answer is ClaimConflictError, whose message says to pass the token.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from functools import partial
from typing import Any

from sqlalchemy import Connection

from statusboard.domain.answers import within_bytes
from statusboard.domain.claims import busy, is_live, new_secret, new_token
from statusboard.domain.clock import Clock, iso
from statusboard.domain.entities import (
    Claim,
    ClaimedWorkItem,
    ClaimGrant,
    ClaimShown,
    Detail,
    NothingClaimed,
    ReadyWork,
    ReleasedClaim,
    RenewedClaim,
    WorkItem,
    WorkItemAnswer,
    summary,
)
from statusboard.domain.errors import (
    ClaimConflictError,
    DatabaseUnavailableError,
    LeaseExpiredError,
    NotFoundError,
    ValidationError,
)
from statusboard.domain.validation import new_id
from statusboard.domain.write_intent import current_key
from statusboard.services.changes import ChangeEntry, record
from statusboard.storage.database import Database
from statusboard.storage.direct import Direct
from statusboard.storage.repositories import claims as repo
from statusboard.storage.repositories import fresh_claims as fresh
from statusboard.storage.repositories import work_items as items_repo
from statusboard.storage.repositories.fresh_claims import FreshClaim, LogEntry

ENTITY = "work_item"
# Claim-next tries another candidate when one turns out taken between finding and claiming it,
# up to MAX_CANDIDATES in one transaction, and starts a fresh one up to MAX_ROUNDS times.
MAX_CANDIDATES = 32
MAX_ROUNDS = 100
RESTAMP_AFTER = timedelta(milliseconds=20)


class _Held(Enum):
    BY_OTHERS = "every ready item found was held by another transaction"


_HELD_BY_OTHERS = _Held.BY_OTHERS


class ClaimService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def list_ready(self, item_type: str | None = None, limit: int = 20, detail: Detail = "summary") -> ReadyWork:
        """Ready items, oldest first. None has a live claim (that is part of being ready)."""
        with self._db.reading() as conn:
            found = repo.ready(conn, self._clock.now(), item_type, limit + 1)
        rows: list[WorkItemAnswer] = [{**item, "claim": None} for item in found[:limit]]
        items = within_bytes(rows) if detail == "full" else within_bytes([summary(row) for row in rows])
        return {"items": items, "count": len(items), "has_more": len(found) > len(items)}

    def claim(
        self,
        actor: str,
        item_id: str | None,
        lease_seconds: int,
        item_type: str | None = None,
        claim_token: str | None = None,
    ) -> ClaimedWorkItem | NothingClaimed:
        """Claims `item_id`, or the oldest ready item when it is None ({"claimed": False} if none is).
        The holder of a live claim on `item_id` gets it back by presenting its `claim_token`."""
        if item_id is None:
            if claim_token is not None:
                raise ValidationError.single("claim_token", "a claim token names one claim: give the item's id too")
            return self._claim_next(actor, item_type, lease_seconds)
        taken = self._claim_unheld(actor, item_id, lease_seconds)
        if taken is not None:
            return taken
        return self._db.write(
            lambda conn: self._claim_one(conn, actor, item_id, self._clock.now(), lease_seconds, claim_token)
        )

    def renew(self, actor: str, item_id: str, token: str, lease_seconds: int) -> RenewedClaim:
        def work(conn: Connection) -> RenewedClaim:
            now = self._clock.now()
            claim = repo.extend(conn, item_id, token, now, now + timedelta(seconds=lease_seconds))
            if claim is None:
                raise self._invalid_token(conn, item_id, now)
            self._log(conn, actor, now, "renew", claim)
            return {"id": item_id, **_grant(claim)}

        return self._db.write(work)

    def release(self, actor: str, item_id: str, token: str) -> ReleasedClaim:
        def work(conn: Connection) -> ReleasedClaim:
            now = self._clock.now()
            claim = repo.end_live(conn, item_id, token, now, "released")
            if claim is None:
                raise self._invalid_token(conn, item_id, now)
            self._log(conn, actor, now, "release", claim)
            return {"id": item_id, "released": True, "holder": claim["holder"]}

        return self._db.write(work)

    # -- helpers ----------------------------------------------------------------

    def _claim_unheld(self, actor: str, item_id: str, lease: int) -> ClaimedWorkItem | None:
        """The common claim, fast: an item nobody holds, claimed with its change-log entry in one
        statement (PostgreSQL) or one short transaction (SQLite), on the driver's own connection.
        None when it does not apply; the careful path then claims it or says why not."""
        claim_id, secret, key = new_id(), new_secret(), current_key()

        def prepare(now: datetime) -> fresh.Prepared:
            claim = FreshClaim(item_id, claim_id, secret, actor, now, now + timedelta(seconds=lease))
            fields = {"holder": actor, "expires_at": iso(claim.expires_at)}  # _public(), less the epoch
            return fresh.prepare(self._db.dialect, claim, LogEntry(ENTITY, "claim", actor, fields, key))

        # Made before the write: on SQLite the work runs in the writer turn, the slot every writer
        # of the file waits for. Made again, with the time then, if the write started late (a long
        # wait for a connection or the turn, a retry): a lease never starts before it is granted
        # by more than RESTAMP_AFTER.
        prepared = prepare(self._clock.now())

        def work(direct: Direct) -> fresh.Opened | None:
            now = self._clock.now()
            current = prepared if now - prepared.claim.claimed_at <= RESTAMP_AFTER else prepare(now)
            return fresh.open_if_unheld(direct, current)

        opened = self._db.write_direct(work)
        if opened is None:
            return None
        grant: ClaimGrant = {
            "claim_token": opened.token,
            "holder": actor,
            "epoch": opened.epoch,
            "expires_at": iso(opened.claim.expires_at),
        }
        return _claimed(opened.item(), grant)

    def _claim_one(
        self, conn: Connection, actor: str, item_id: str, now: datetime, lease: int, token: str | None
    ) -> ClaimedWorkItem:
        lock = self._db.backend == "postgresql"
        item, current, last_epoch = repo.item_with_claim(conn, item_id, lock=lock)
        if item is None:
            raise NotFoundError(ENTITY, id=item_id)
        unclaimable = repo.unclaimable_reason(item)
        if unclaimable is not None:
            raise ValidationError.single("id", unclaimable)
        taken = self._take(conn, actor, item, current, last_epoch, now, lease, token)
        if taken is None:  # another claimant's open claim appeared: report it
            current = repo.open_claim(conn, item_id)
            if current is None:
                raise AssertionError("a claim was refused, yet the item has no open claim")
            raise busy(current["holder"], current["expires_at"], actor)
        return taken

    def _claim_next(self, actor: str, item_type: str | None, lease: int) -> ClaimedWorkItem | NothingClaimed:
        """Claims the oldest ready item; {"claimed": False} only when none is ready.

        SKIP LOCKED passes over the ready rows other transactions hold, so "nothing found" is not
        "nothing ready": the holder may not claim its row (a claimant that loses a race or rolls
        back, a writer editing the item). Then a fresh transaction waits for the oldest ready row
        instead, holding no other row while it waits (so it cannot deadlock), and goes on from there.
        """
        for round_no in range(MAX_ROUNDS):
            work = partial(self._claim_next_in, actor=actor, item_type=item_type, lease=lease, wait=round_no > 0)
            taken = self._db.write(work)
            if not isinstance(taken, _Held):
                return taken
        raise DatabaseUnavailableError("claim-next kept finding every ready item held by others", ["primary"])

    def _claim_next_in(
        self, conn: Connection, actor: str, item_type: str | None, lease: int, *, wait: bool
    ) -> ClaimedWorkItem | NothingClaimed | _Held:
        now = self._clock.now()
        for n in range(MAX_CANDIDATES):
            candidate = repo.lock_next_ready(conn, now, item_type, skip_locked=not (wait and n == 0))
            if candidate is None:
                if self._db.backend == "postgresql" and repo.any_ready(conn, now, item_type):
                    return _HELD_BY_OTHERS
                return {"claimed": False}
            item, current, last_epoch = repo.item_with_claim(conn, candidate["id"], lock=False)
            if item is None:
                continue
            try:
                taken = self._take(conn, actor, item, current, last_epoch, now, lease, None)
            except ClaimConflictError:
                taken = None  # claimed by someone else after our snapshot; the next query skips it
            if taken is not None:
                return taken
        return _HELD_BY_OTHERS  # every candidate was taken under our feet: start afresh

    def _take(
        self,
        conn: Connection,
        actor: str,
        item: WorkItem,
        current: Claim | None,
        last_epoch: int,
        now: datetime,
        lease: int,
        token: str | None,
    ) -> ClaimedWorkItem | None:
        if current is not None and is_live(current, now):
            if token is not None and token == current["token"]:
                return _claimed(item, _grant(current))  # the holder asking again, token in hand: harmless
            raise busy(current["holder"], current["expires_at"], actor)
        if current is not None and not repo.end(conn, current["id"], now, "expired"):
            return None
        epoch = last_epoch + 1
        expires_at = now + timedelta(seconds=lease)
        row = repo.new_claim_row(new_id(), item["id"], epoch, new_token(epoch), actor, now, expires_at)
        claim = repo.insert_open(conn, row)
        if claim is None:
            return None
        fields = _public(claim)
        if current is not None:
            fields["took_over_from"] = current["holder"]
        record(self._db, conn, actor, now, [ChangeEntry(ENTITY, item["id"], item["version"], "claim", fields)])
        return _claimed(item, _grant(claim))

    def _invalid_token(self, conn: Connection, item_id: str, now: datetime) -> Exception:
        if items_repo.get(conn, item_id) is None:
            return NotFoundError(ENTITY, id=item_id)
        current = repo.open_claim(conn, item_id)
        return LeaseExpiredError(current["holder"] if current is not None and is_live(current, now) else None)

    def _log(self, conn: Connection, actor: str, now: datetime, op: str, claim: Claim) -> None:
        item = items_repo.get(conn, claim["work_item_id"])
        version = None if item is None else item["version"]
        fields = {**_public(claim), "end_reason": claim["end_reason"]} if op == "release" else _public(claim)
        record(self._db, conn, actor, now, [ChangeEntry(ENTITY, claim["work_item_id"], version, op, fields)])


def _grant(claim: Claim) -> ClaimGrant:
    return {
        "claim_token": claim["token"],
        "holder": claim["holder"],
        "epoch": claim["epoch"],
        "expires_at": claim["expires_at"],
    }


def _public(claim: Claim) -> dict[str, Any]:
    """What the change log may show: never the token, which anyone reading the log could use."""
    return {"holder": claim["holder"], "epoch": claim["epoch"], "expires_at": claim["expires_at"]}


def _claimed(item: WorkItem, grant: ClaimGrant) -> ClaimedWorkItem:
    shown: ClaimShown = {"holder": grant["holder"], "expires_at": grant["expires_at"]}
    return {**item, "claim": shown, "claimed": True, **grant}
