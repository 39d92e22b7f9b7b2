"""The full status: one consistent snapshot of vendors, work items, deployments and plans,
as JSON or as the status file (which it can also write, atomically)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection

from statusboard.domain.cancellation import CancelToken, Progress
from statusboard.domain.clock import Clock
from statusboard.domain.enhancements import PENDING
from statusboard.domain.status_markdown import StatusData, render
from statusboard.domain.work_items import ItemType
from statusboard.services.deployments import deployment_views
from statusboard.storage.database import Database
from statusboard.storage.repositories import archive as archive_repo
from statusboard.storage.repositories import changes as changes_repo
from statusboard.storage.repositories import deployments as deployments_repo
from statusboard.storage.repositories import enhancements as enhancements_repo
from statusboard.storage.repositories import session_prompts as prompts_repo
from statusboard.storage.repositories import vendors as vendors_repo
from statusboard.storage.repositories import work_items as items_repo
from statusboard.storage.status_file import write_atomically

OutputFormat = Literal["json", "markdown"]
RECENT_DEPLOYMENTS = 10
STATUSES = ("active", "completed", "blocked")
PRIORITIES = ("high", "medium", "low")
NO_PRIORITY = "unset"


@dataclass(frozen=True)
class _Built:
    """A status built from the snapshot whose change log ends at `seq`."""

    seq: int
    summary: dict[str, Any]
    markdown: str | None = None


class StatusService:
    """Builds the status from one snapshot, and keeps the last one built.

    Every write appends to the change log in its own transaction, in commit order, so a
    snapshot whose log ends at the same seq sees exactly the same data: the kept status
    is served again until the log moves on. Reading the last seq is one indexed lookup.
    """

    def __init__(self, db: Database, clock: Clock, markdown_path: str) -> None:
        self._db = db
        self._clock = clock
        self._markdown_path = Path(markdown_path)
        self._built: _Built | None = None

    def generate(
        self,
        output_format: OutputFormat = "json",
        write_file: bool = False,
        *,
        cancel: CancelToken | None = None,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        want_markdown = output_format == "markdown" or write_file
        steps = 3 if write_file else 2 if want_markdown else 1
        built = self._built
        data = None
        with self._db.snapshot() as conn:
            seq = changes_repo.last_seq(conn)
            if built is None or built.seq != seq:
                built = _Built(seq, self._summary(conn))
            _step(cancel, progress, 1, steps)
            if want_markdown and built.markdown is None:
                data = self.file_data(conn)
        if data is not None:
            built = replace(built, markdown=render(data))
        self._built = built
        report = {"generated_at": self._clock.now().isoformat(), "as_of_seq": built.seq, **built.summary}
        if not want_markdown:
            return report
        assert built.markdown is not None
        _step(cancel, progress, 2, steps)
        if output_format == "markdown":
            report["markdown"] = built.markdown
        if write_file:
            report["written_to"] = str(write_atomically(self._markdown_path, built.markdown, cancel))
            _step(None, progress, 3, steps)
        return report

    def _summary(self, conn: Connection) -> dict[str, Any]:
        by_status = vendors_repo.counts_by_status(conn)
        operational, broken = by_status.get("operational", 0), by_status.get("broken", 0)
        total_vendors = operational + broken
        recent = deployments_repo.newest(conn, RECENT_DEPLOYMENTS)
        pending = enhancements_repo.outline(conn, PENDING)
        return {
            "vendor_health": {
                "total_vendors": total_vendors,
                "operational_count": operational,
                "broken_count": broken,
                "operational_percentage": round(100 * operational / total_vendors, 2) if total_vendors else 0.0,
            },
            "active_work_items": {
                **work_item_counts(items_repo.live_summary(conn)),
                "archived_count": archive_repo.count(conn),
            },
            "recent_deployments": [deployment_summary(d) for d in deployment_views(conn, recent)],
            "pending_enhancements": pending,
        }

    @staticmethod
    def file_data(conn: Connection) -> StatusData:
        """Everything the status file shows, read on the caller's snapshot."""
        prompts, _ = prompts_repo.listing(conn)
        vendors = vendors_repo.outline(conn)
        return StatusData(
            vendors=vendors,
            work_items=items_repo.live_outline(conn),
            deployments=_every_deployment(conn, {vendor["id"]: vendor for vendor in vendors}),
            enhancements=enhancements_repo.outline(conn),
            session_prompts=prompts,
        )


def _every_deployment(conn: Connection, vendors: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every deployment with its vendors and the ids of its work items: what the file shows."""
    vendor_links = deployments_repo.vendor_links(conn, None)
    item_links = deployments_repo.work_item_links(conn, None)
    deployments = deployments_repo.outline(conn)
    for deployment in deployments:
        deployment["affected_vendors"] = [vendors[vid] for vid in vendor_links.get(deployment["id"], [])]
        deployment["related_work_items"] = [{"id": wid} for wid in item_links.get(deployment["id"], [])]
    return deployments


def work_item_counts(rows: list[tuple[str, str, str | None, int]]) -> dict[str, Any]:
    by_type = dict.fromkeys((kind.value for kind in ItemType), 0)
    by_status = dict.fromkeys(STATUSES, 0)
    by_priority = dict.fromkeys((*PRIORITIES, NO_PRIORITY), 0)
    total = 0
    for item_type, status, priority, count in rows:
        total += count
        by_type[item_type] = by_type.get(item_type, 0) + count
        by_status[status] = by_status.get(status, 0) + count
        key = priority if priority in by_priority else NO_PRIORITY
        by_priority[key] += count
    return {"total_count": total, "by_type": by_type, "by_status": by_status, "by_priority": by_priority}


def deployment_summary(deployment: dict[str, Any]) -> dict[str, Any]:
    meta = deployment["metadata"]
    return {
        "id": deployment["id"],
        "timestamp": deployment["timestamp"],
        "pr_number": meta.get("pr_number"),
        "pr_title": meta.get("pr_title"),
        "commit_hash": deployment["commit_hash"],
        "constitutional_compliance": meta.get("constitutional_compliance"),
        "affected_vendors": [vendor["name"] for vendor in deployment["affected_vendors"]],
        "related_work_item_ids": [item["id"] for item in deployment["related_work_items"]],
    }


def _step(cancel: CancelToken | None, progress: Progress | None, done: int, total: int) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()
    if progress is not None:
        progress(done, total)
