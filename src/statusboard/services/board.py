"""What the board shows, read on one snapshot at a settled seq: the work-item tree with live
claims, ready and blocked work, vendor health, recent deployments, planned enhancements by
quarter and the newest changes; and one item's page with its whole history.

Every view carries `as_of_seq`: the page shows at least every change up to it, and its event
stream resumes after it, so nothing committed between the read and the stream is missed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from statusboard.domain.claims import is_live
from statusboard.domain.clock import Clock
from statusboard.domain.enhancements import PENDING
from statusboard.domain.entities import ChangeLogEntry, ClaimLease, Predecessor, WorkItemHeadline, WorkItemNode
from statusboard.domain.records import ReportedEnhancement
from statusboard.services.deployments import deployment_views
from statusboard.services.item_history import field_changes
from statusboard.services.work_items import WorkItemService
from statusboard.storage.database import Database
from statusboard.storage.repositories import board as repo
from statusboard.storage.repositories import changes as changes_repo
from statusboard.storage.repositories import claims as claims_repo
from statusboard.storage.repositories import deployments as deployments_repo
from statusboard.storage.repositories import enhancements as enhancements_repo

READY_SHOWN = 20
BLOCKED_SHOWN = 50
DEPLOYMENTS_SHOWN = 10
PER_QUARTER_SHOWN = 8
CHANGES_SHOWN = 30
BROKEN_SHOWN = 12
# Share of tests passing, per vendor: the chart's bands, each (label, lowest share in it).
PASS_RATE_BANDS = (("100%", 1.0), ("95-99%", 0.95), ("80-94%", 0.8), ("50-79%", 0.5), ("<50%", 0.0))


@dataclass(frozen=True)
class BoardFilter:
    item_type: str | None = None
    status: str | None = None
    holder: str | None = None
    search: str | None = None

    @property
    def active(self) -> bool:
        return any((self.item_type, self.status, self.holder, self.search))

    def matches(self, row: WorkItemHeadline, claim: ClaimLease | None) -> bool:
        """Whether the item (with its live claim, or None) passes the filter."""
        if self.item_type and row["item_type"] != self.item_type:
            return False
        if self.status and row["status"] != self.status:
            return False
        if self.holder and (claim is None or claim["holder"] != self.holder):
            return False
        return not self.search or self.search.casefold() in row["title"].casefold()


@dataclass(frozen=True)
class _Kept:
    """What the board read at a settled seq: right until the log moves past it (time alone
    changes only which claims are live, and what is ready, which are worked out per request)."""

    seq: int
    items: list[WorkItemHeadline]
    claims: dict[str, ClaimLease]  # open claims by item, live or expired
    parts: dict[str, Any]  # the rest of the page's parts, by name


class BoardService:
    """The board, read once per settled seq and kept: every viewer refetches the board after
    every write, so the reads, most of a page's cost at large data sets, are shared by all of
    them (bench/board.py)."""

    def __init__(self, db: Database, clock: Clock, work_items: WorkItemService) -> None:
        self._db = db
        self._clock = clock
        self._work_items = work_items
        self._kept: _Kept | None = None
        self._reading = threading.Lock()  # one read per seq: the others wait for it and share it

    def settled_seq(self) -> int:
        with self._db.reading() as conn:
            return changes_repo.settled_seq(conn)

    def board(self, flt: BoardFilter, tree_limit: int) -> dict[str, Any]:
        kept = self._at(self.settled_seq())
        now = self._clock.now()
        with self._db.reading() as conn:
            ready = claims_repo.ready(conn, now, None, READY_SHOWN)
        live = {item_id: claim for item_id, claim in kept.claims.items() if is_live(claim, now)}
        tree, tree_rows, matched = _tree(kept.items, live, flt, tree_limit)
        return {
            "as_of_seq": kept.seq,
            "now": now.isoformat(),
            "tree": tree,
            "tree_rows": tree_rows,
            "tree_matched": matched,
            "item_count": len(kept.items),
            "holders": sorted({claim["holder"] for claim in live.values()}),
            "claimed_count": len(live),
            "ready": ready,
            **kept.parts,
        }

    def _at(self, seq: int) -> _Kept:
        kept = self._kept
        if kept is not None and kept.seq == seq:
            return kept
        with self._reading:
            kept = self._kept
            if kept is not None and kept.seq == seq:
                return kept
            # A snapshot taken after `seq` settled sees every entry up to it (perhaps later ones too,
            # which the next read, at the next seq, reads again).
            with self._db.snapshot() as conn:
                items = repo.live_items(conn)
                parts = {
                    "blocked": _blocked(conn, items),
                    "vendors": _vendor_health(repo.vendor_test_results(conn), repo.broken_vendors(conn, BROKEN_SHOWN)),
                    "deployments": deployment_views(conn, deployments_repo.newest(conn, DEPLOYMENTS_SHOWN)),
                    "quarters": _by_quarter(enhancements_repo.reported(conn, PENDING)),
                    "changes": _named(conn, repo.latest_changes(conn, seq, CHANGES_SHOWN)),
                }
                kept = _Kept(seq, items, repo.open_claims(conn), parts)
            self._kept = kept
            return kept

    def item(self, item_id: str) -> dict[str, Any]:
        """The item as query_work_item gives it (with its children, archived or not), its live
        claim and its history: each entry with the fields it changed, from what to what."""
        seq = self.settled_seq()
        view = self._work_items.query(item_id, include_children=True, include_archived=True)
        now = self._clock.now()
        with self._db.reading() as conn:
            entries = repo.history(conn, item_id, seq)
            claims = repo.open_claims_of(conn, [item_id, *_ids(view["children"])])
        claims = {item_id: claim for item_id, claim in claims.items() if is_live(claim, now)}
        return {
            "as_of_seq": seq,
            "now": now.isoformat(),
            "item": view,
            "claim": claims.get(item_id),
            "claims": claims,
            "history": field_changes(entries),
        }


class TreeRow(WorkItemHeadline):
    """A row of the board's tree: the item, its live claim's holder and expiry, and its level."""

    holder: str | None
    expires_at: str | None
    level: int
    context: bool  # shown only as an ancestor of an item the filter matched


class BlockedItem(WorkItemHeadline):
    reason: str | None  # the metadata's blocked_reason, when its status is blocked
    waiting_on: list[Predecessor]


class NamedChange(ChangeLogEntry):
    name: str | None  # what to call the entity: a title or a name, where one is known


def _tree(
    items: list[WorkItemHeadline], live: dict[str, ClaimLease], flt: BoardFilter, limit: int
) -> tuple[list[TreeRow], int, int]:
    """The first `limit` rows of the tree (each item after its parent, siblings oldest first, with
    its level), how many rows it has, and how many items match; filtered, the rows are the matching
    items and, as context, their ancestors. Only the rows shown are copied: at 100 times the seed's
    data the tree has 5,000 rows, of which a page shows 300."""
    children: dict[str | None, list[WorkItemHeadline]] = {}
    by_id = {row["id"]: row for row in items}
    for row in items:
        parent = row["parent_id"] if row["parent_id"] in by_id else None
        children.setdefault(parent, []).append(row)
    shown: set[str] | None = None
    matched = len(items)
    if flt.active:
        shown, matched = set(), 0
        for row in items:
            if flt.matches(row, live.get(row["id"])):
                matched += 1
                node: WorkItemHeadline | None = row
                while node is not None and node["id"] not in shown:
                    shown.add(node["id"])
                    parent_id = node["parent_id"]
                    node = None if parent_id is None else by_id.get(parent_id)
    rows: list[TreeRow] = []
    stack = [(row, 0) for row in reversed(children.get(None, []))]
    while stack and len(rows) < limit:
        row, level = stack.pop()
        if shown is not None and row["id"] not in shown:
            continue
        claim = live.get(row["id"])
        context = shown is not None and not flt.matches(row, claim)
        holder, expires_at = (claim["holder"], claim["expires_at"]) if claim else (None, None)
        rows.append({**row, "holder": holder, "expires_at": expires_at, "level": level, "context": context})
        stack.extend((child, level + 1) for child in reversed(children.get(row["id"], [])))
    return rows, len(items) if shown is None else len(shown), matched


def _blocked(conn: Connection, items: list[WorkItemHeadline]) -> list[BlockedItem]:
    """Items blocked by their status (with the reason given) or waiting on unfinished work."""
    reasons = repo.blocked_reasons(conn)
    waiting = repo.unfinished_predecessors(conn)
    blocked: list[BlockedItem] = []
    for row in items:
        if row["id"] in reasons or row["id"] in waiting:
            blocked.append({**row, "reason": reasons.get(row["id"]), "waiting_on": waiting.get(row["id"], [])})
            if len(blocked) == BLOCKED_SHOWN:
                break
    return blocked


def _vendor_health(results: list[tuple[str, int | None, int | None, int]], broken_names: list[str]) -> dict[str, Any]:
    """Counts, the share of tests passing, and vendors by pass rate, from (status, passing, total,
    how many vendors) groups."""
    total = sum(count for *_, count in results)
    operational = sum(count for status, _, _, count in results if status == "operational")
    bands = dict.fromkeys((label for label, _ in PASS_RATE_BANDS), 0)
    passing_sum = tests_sum = 0
    for _, passing, tests, count in results:
        if passing is None or not tests:
            continue
        passing_sum, tests_sum = passing_sum + passing * count, tests_sum + tests * count
        share = passing / tests
        label = next(label for label, lowest in PASS_RATE_BANDS if share >= lowest)
        bands[label] += count
    return {
        "total": total,
        "operational": operational,
        "broken": total - operational,
        "operational_share": operational / total if total else 0.0,
        "tests_passing_share": passing_sum / tests_sum if tests_sum else None,
        "pass_rate_bands": list(bands.items()),
        "vendors_with_results": sum(bands.values()),
        "broken_names": broken_names,
    }


def _by_quarter(enhancements: list[ReportedEnhancement]) -> list[dict[str, Any]]:
    quarters: dict[str, list[ReportedEnhancement]] = {}
    for row in enhancements:
        quarters.setdefault(row["target_quarter"], []).append(row)
    return [
        {"quarter": quarter, "count": len(rows), "shown": rows[:PER_QUARTER_SHOWN]}
        for quarter, rows in sorted(quarters.items())
    ]


def _named(conn: Connection, entries: list[ChangeLogEntry]) -> list[NamedChange]:
    """The entries, each with what to call its entity (a title or a name, where one is known)."""
    ids = set()
    for entry in entries:
        ids.add(entry["entity_id"])
        ids.update(str(entry["fields"].get(key)) for key in ("work_item_id", "depends_on_id") if key in entry["fields"])
    names = repo.names(conn, ids)
    return [{**entry, "name": _name(entry, names)} for entry in entries]


def _name(entry: ChangeLogEntry, names: dict[str, str]) -> str | None:
    fields = entry["fields"]
    if entry["entity"] == "dependency" and "work_item_id" in fields:
        first, then = names.get(fields["work_item_id"]), names.get(fields["depends_on_id"])
        return f"{first or '?'} {str(fields.get('dependency_type', '→')).replace('_', ' ')} {then or '?'}"
    if entry["entity"] == "deployment" and isinstance(fields.get("metadata"), dict):
        meta = fields["metadata"]
        return " ".join(str(part) for part in (f"PR #{meta.get('pr_number')}", meta.get("pr_title")) if part)
    return names.get(entry["entity_id"])


def _ids(nodes: list[WorkItemNode]) -> list[str]:
    ids = []
    for node in nodes:
        ids.append(node["id"])
        ids.extend(_ids(node["children"]))
    return ids
