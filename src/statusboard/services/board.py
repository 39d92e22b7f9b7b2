"""What the board shows, read on one snapshot at a settled seq: the work-item tree with live
claims, ready and blocked work, vendor health, recent deployments, planned enhancements by
quarter and the newest changes; and one item's page with its whole history.

Every view carries `as_of_seq`: the page shows at least every change up to it, and its event
stream resumes after it, so nothing committed between the read and the stream is missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from statusboard.domain.clock import Clock
from statusboard.domain.enhancements import PENDING
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
BROKEN_VENDORS_SHOWN = 12
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

    def matches(self, row: dict[str, Any]) -> bool:
        if self.item_type and row["item_type"] != self.item_type:
            return False
        if self.status and row["status"] != self.status:
            return False
        if self.holder and row["holder"] != self.holder:
            return False
        return not self.search or self.search.casefold() in row["title"].casefold()


class BoardService:
    def __init__(self, db: Database, clock: Clock, work_items: WorkItemService) -> None:
        self._db = db
        self._clock = clock
        self._work_items = work_items

    def settled_seq(self) -> int:
        with self._db.reading() as conn:
            return changes_repo.settled_seq(conn)

    def board(self, flt: BoardFilter, tree_limit: int) -> dict[str, Any]:
        seq = self.settled_seq()
        now = self._clock.now()
        with self._db.snapshot() as conn:
            items = repo.live_items(conn, now)
            tree, matched = _tree(items, flt)
            return {
                "as_of_seq": seq,
                "now": now.isoformat(),
                "tree": tree[:tree_limit],
                "tree_rows": len(tree),
                "tree_matched": matched,
                "item_count": len(items),
                "holders": sorted({row["holder"] for row in items if row["holder"]}),
                "claimed_count": sum(1 for row in items if row["holder"]),
                "ready": claims_repo.ready(conn, now, None, READY_SHOWN),
                "blocked": _blocked(conn, items),
                "vendors": _vendor_health(repo.vendor_test_results(conn)),
                "deployments": deployment_views(conn, deployments_repo.newest(conn, DEPLOYMENTS_SHOWN)),
                "quarters": _by_quarter(enhancements_repo.outline(conn, PENDING)),
                "changes": _named(conn, repo.latest_changes(conn, seq, CHANGES_SHOWN)),
            }

    def item(self, item_id: str) -> dict[str, Any]:
        """The item as query_work_item gives it (with its children, archived or not), its live
        claim and its history: each entry with the fields it changed, from what to what."""
        seq = self.settled_seq()
        view = self._work_items.query(item_id, include_children=True, include_archived=True)
        now = self._clock.now()
        with self._db.reading() as conn:
            entries = repo.history(conn, item_id, seq)
            claims = repo.live_claims(conn, [item_id, *_ids(view["children"])], now)
        return {
            "as_of_seq": seq,
            "now": now.isoformat(),
            "item": view,
            "claim": claims.get(item_id),
            "claims": claims,
            "history": field_changes(entries),
        }


def _tree(items: list[dict[str, Any]], flt: BoardFilter) -> tuple[list[dict[str, Any]], int]:
    """The items in tree order (each after its parent, siblings oldest first) with their level;
    filtered, the matching items and, as context, their ancestors."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    by_id = {row["id"]: row for row in items}
    for row in items:
        parent = row["parent_id"] if row["parent_id"] in by_id else None
        children.setdefault(parent, []).append(row)
    shown: set[str] | None = None
    matched = len(items)
    if flt.active:
        shown, matched = set(), 0
        for row in items:
            if flt.matches(row):
                matched += 1
                node: dict[str, Any] | None = row
                while node is not None and node["id"] not in shown:
                    shown.add(node["id"])
                    node = by_id.get(node["parent_id"])
    ordered: list[dict[str, Any]] = []
    stack = [(row, 0) for row in reversed(children.get(None, []))]
    while stack:
        row, level = stack.pop()
        if shown is not None and row["id"] not in shown:
            continue
        context = shown is not None and not flt.matches(row)
        ordered.append({**row, "level": level, "context": context})
        stack.extend((child, level + 1) for child in reversed(children.get(row["id"], [])))
    return ordered, matched


def _blocked(conn: Connection, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items blocked by their status (with the reason given) or waiting on unfinished work."""
    reasons = repo.blocked_reasons(conn)
    waiting = repo.unfinished_predecessors(conn)
    blocked = []
    for row in items:
        if row["id"] in reasons or row["id"] in waiting:
            blocked.append({**row, "reason": reasons.get(row["id"]), "waiting_on": waiting.get(row["id"], [])})
            if len(blocked) == BLOCKED_SHOWN:
                break
    return blocked


def _vendor_health(results: list[tuple[str, str, int | None, int | None]]) -> dict[str, Any]:
    total = len(results)
    operational = sum(1 for _, status, _, _ in results if status == "operational")
    bands = dict.fromkeys((label for label, _ in PASS_RATE_BANDS), 0)
    passing_sum = tests_sum = 0
    for _, _, passing, tests in results:
        if passing is None or not tests:
            continue
        passing_sum, tests_sum = passing_sum + passing, tests_sum + tests
        share = passing / tests
        label = next(label for label, lowest in PASS_RATE_BANDS if share >= lowest)
        bands[label] += 1
    broken = [name for name, status, _, _ in results if status != "operational"]
    return {
        "total": total,
        "operational": operational,
        "broken": total - operational,
        "operational_share": operational / total if total else 0.0,
        "tests_passing_share": passing_sum / tests_sum if tests_sum else None,
        "pass_rate_bands": list(bands.items()),
        "vendors_with_results": sum(bands.values()),
        "broken_names": broken[:BROKEN_VENDORS_SHOWN],
    }


def _by_quarter(enhancements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    quarters: dict[str, list[dict[str, Any]]] = {}
    for row in enhancements:
        quarters.setdefault(row["target_quarter"], []).append(row)
    return [
        {"quarter": quarter, "count": len(rows), "shown": rows[:PER_QUARTER_SHOWN]}
        for quarter, rows in sorted(quarters.items())
    ]


def _named(conn: Connection, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries, each with what to call its entity (a title or a name, where one is known)."""
    ids = set()
    for entry in entries:
        ids.add(entry["entity_id"])
        ids.update(str(entry["fields"].get(key)) for key in ("work_item_id", "depends_on_id") if key in entry["fields"])
    names = repo.names(conn, ids)
    return [{**entry, "name": _name(entry, names)} for entry in entries]


def _name(entry: dict[str, Any], names: dict[str, str]) -> str | None:
    fields = entry["fields"]
    if entry["entity"] == "dependency" and "work_item_id" in fields:
        first, then = names.get(fields["work_item_id"]), names.get(fields["depends_on_id"])
        return f"{first or '?'} {str(fields.get('dependency_type', '→')).replace('_', ' ')} {then or '?'}"
    if entry["entity"] == "deployment" and isinstance(fields.get("metadata"), dict):
        meta = fields["metadata"]
        return " ".join(str(part) for part in (f"PR #{meta.get('pr_number')}", meta.get("pr_title")) if part)
    return names.get(entry["entity_id"])


def _ids(nodes: list[dict[str, Any]]) -> list[str]:
    ids = []
    for node in nodes:
        ids.append(node["id"])
        ids.extend(_ids(node.get("children", [])))
    return ids
