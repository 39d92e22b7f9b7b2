"""The parts the full status is made of, each read on the caller's snapshot, and what each
one shows, which tells the writes that can change it (domain/change_sources)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from statusboard.domain import change_sources
from statusboard.domain.answers import ActiveWorkItems, WorkItemCounts
from statusboard.domain.change_sources import (
    ARCHIVED_COUNT,
    DEPLOYMENTS,
    ENHANCEMENTS,
    SESSION_PROMPTS,
    VENDORS,
    WORK_ITEMS,
)
from statusboard.domain.enhancements import PENDING
from statusboard.domain.records import DeploymentShown, DeploymentSummary, VendorHealth
from statusboard.domain.status_markdown import (
    deployments_section,
    enhancements_section,
    outline_rows_section,
    prompts_section,
    vendor_line,
    vendor_lines_section,
)
from statusboard.domain.vendors import vendor_health
from statusboard.domain.work_items import ItemType
from statusboard.services.deployments import deployment_views
from statusboard.storage.repositories import archive as archive_repo
from statusboard.storage.repositories import deployments as deployments_repo
from statusboard.storage.repositories import enhancements as enhancements_repo
from statusboard.storage.repositories import session_prompts as prompts_repo
from statusboard.storage.repositories import vendors as vendors_repo
from statusboard.storage.repositories import work_items as items_repo

RECENT_DEPLOYMENTS = 10
VENDORS_FILE = "file:vendors"
STATUSES = ("active", "completed", "blocked")
PRIORITIES = ("high", "medium", "low")
NO_PRIORITY = "unset"


@dataclass(frozen=True)
class Part:
    name: str
    shows: frozenset[str]  # what of the status it shows: keys of change_sources.SOURCES
    build: Callable[[Connection], Any]


def _vendor_health(conn: Connection) -> VendorHealth:
    by_status = vendors_repo.counts_by_status(conn)
    return vendor_health(by_status.get("operational", 0), sum(by_status.values()))


def _active_work_items(conn: Connection) -> ActiveWorkItems:
    return {**work_item_counts(items_repo.live_summary(conn)), "archived_count": archive_repo.count(conn)}


def _recent_deployments(conn: Connection) -> list[DeploymentSummary]:
    recent = deployments_repo.newest(conn, RECENT_DEPLOYMENTS)
    return [
        deployment_summary(
            d, d["id"], [vendor["name"] for vendor in d["affected_vendors"]], [i["id"] for i in d["related_work_items"]]
        )
        for d in deployment_views(conn, recent)
    ]


def _deployments_file_section(conn: Connection) -> str:
    names = deployments_repo.vendor_names(conn)
    item_links = deployments_repo.work_item_links(conn, None)
    return deployments_section(
        {
            **deployment,
            "affected_vendors": [{"name": name} for name in names.get(deployment["id"], ())],
            "related_work_items": [{"id": wid} for wid in item_links.get(deployment["id"], ())],
        }
        for deployment in deployments_repo.outline_stream(conn)
    )


@dataclass(frozen=True)
class VendorSection:
    """The file's vendor section, with its lines by vendor id in file order, so that a vendor
    update reads only the vendors it names again: at large data sets, reading and writing every
    vendor line again dominated each status asked for after a vendor write."""

    lines: dict[str, str]
    text: str

    @classmethod
    def of(cls, lines: dict[str, str]) -> VendorSection:
        return cls(lines, vendor_lines_section(list(lines.values())))

    @classmethod
    def read(cls, conn: Connection) -> VendorSection:
        return cls.of({vendor_id: vendor_line(facts) for vendor_id, facts in vendors_repo.facts_by_id(conn)})

    def updated(self, conn: Connection, ids: set[str]) -> VendorSection | None:
        """The section with these vendors read again; None when one of them is new (where its line
        goes is the database's order to tell) or gone."""
        if not ids <= self.lines.keys():
            return None
        fresh = {vendor_id: vendor_line(facts) for vendor_id, facts in vendors_repo.facts_by_id(conn, ids)}
        return None if fresh.keys() != ids else VendorSection.of({**self.lines, **fresh})


def section_text(section: str | VendorSection) -> str:
    return section.text if isinstance(section, VendorSection) else section


# The summary's parts, in the order the report lists them.
SUMMARY = (
    Part("vendor_health", frozenset({VENDORS}), _vendor_health),
    Part("active_work_items", frozenset({WORK_ITEMS, ARCHIVED_COUNT}), _active_work_items),
    Part("recent_deployments", frozenset({DEPLOYMENTS}), _recent_deployments),
    Part("pending_enhancements", frozenset({ENHANCEMENTS}), lambda conn: enhancements_repo.reported(conn, PENDING)),
)
# The status file's sections as text, in file order.
FILE_SECTIONS = (
    Part(VENDORS_FILE, frozenset({VENDORS}), VendorSection.read),
    Part("file:deployments", frozenset({DEPLOYMENTS}), _deployments_file_section),
    Part("file:enhancements", frozenset({ENHANCEMENTS}), lambda c: enhancements_section(enhancements_repo.outline(c))),
    Part("file:work_items", frozenset({WORK_ITEMS}), lambda c: outline_rows_section(items_repo.live_outline_rows(c))),
    Part("file:prompts", frozenset({SESSION_PROMPTS}), lambda c: prompts_section(prompts_repo.listing(c)[0])),
)


def stale(touched: Iterable[tuple[str, str]]) -> frozenset[str] | None:
    """The names of the parts that writes of these (entity, op) pairs may have changed;
    None when an entity is not known (then every part is)."""
    changed = change_sources.stale(touched)
    if changed is None:
        return None
    return frozenset(part.name for part in SUMMARY + FILE_SECTIONS if not part.shows.isdisjoint(changed))


def work_item_counts(rows: list[tuple[str, str, str | None, int]]) -> WorkItemCounts:
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


def deployment_summary(
    deployment: DeploymentShown, deployment_id: str | None, vendor_names: list[str], work_item_ids: list[str]
) -> DeploymentSummary:
    """The status report's entry for a deployment (with its id, where known) that touched these
    vendors and work items."""
    meta = deployment["metadata"]
    return {
        "id": deployment_id,
        "timestamp": deployment["timestamp"],
        "pr_number": meta.get("pr_number"),
        "pr_title": meta.get("pr_title"),
        "commit_hash": deployment["commit_hash"],
        "constitutional_compliance": meta.get("constitutional_compliance"),
        "affected_vendors": vendor_names,
        "related_work_item_ids": work_item_ids,
    }
