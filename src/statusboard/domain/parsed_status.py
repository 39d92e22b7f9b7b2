"""The status file's records as read back, and the way back to what `render` writes.

`status_parser.parse_status_file` produces these; the migration imports them, and
`as_status_data` turns them into `StatusData` again, inventing ids only where `render`
needs them: work items and enhancements without an id get "line-<N>" (their line,
prefixed with "_" while a written id already has that name). Deployments stay without
ids and in file order, which render keeps for deployments the file shows alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from statusboard.domain.entities import WorkItemOutline
from statusboard.domain.records import (
    DeploymentMeta,
    DeploymentOutline,
    EnhancementOutline,
    SessionPromptShown,
    VendorMeta,
    VendorOutline,
)
from statusboard.domain.status_markdown import StatusData

VENDORS = "vendors"
DEPLOYMENTS = "deployments"
ENHANCEMENTS = "enhancements"
WORK_ITEMS = "work_items"
SESSION_PROMPTS = "session_prompts"


@dataclass(frozen=True)
class Problem:
    line: int
    section: str | None
    reason: str


@dataclass(frozen=True)
class HeaderCount:
    declared: int
    line: int


@dataclass(frozen=True)
class CountMismatch:
    section: str
    declared: int
    found: int


@dataclass(frozen=True)
class ParsedVendor:
    name: str
    status: str
    metadata: VendorMeta  # only the keys the line shows
    line: int


@dataclass(frozen=True)
class ParsedDeployment:
    timestamp: datetime  # UTC
    commit_hash: str
    pr_number: int | None
    pr_title: str | None
    work_item_refs: tuple[str, ...]
    vendor_names: tuple[str, ...]
    test_summary: dict[str, int] | None
    constitutional_compliance: bool | None
    line: int


@dataclass(frozen=True)
class ParsedEnhancement:
    id: str | None
    title: str
    priority: str
    target_quarter: str  # "2026-Q1"
    status: str
    description: str | None
    requires_principles: tuple[str, ...]
    depends_on: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class ParsedWorkItem:
    """A work item's line as read: a WorkItemOutline before ids are resolved. The line may give no
    id, and names the item's parent only by where it stands (the nearest shallower line above),
    which `as_status_data` and the migration turn into ids."""

    id: str | None
    item_type: str
    title: str
    status: str
    priority: str | None
    branch_name: str | None
    commit_hash: str | None
    pr_number: int | None
    depth: int
    parent_ref: str | None  # the id of the nearest shallower item above
    parent_line: int | None  # that item's line, which also links items without ids
    line: int


@dataclass(frozen=True)
class ParsedSessionPrompt:
    date: date
    session_id: str
    frontmatter: dict[str, Any]
    content: str
    line: int


@dataclass(frozen=True)
class ParsedStatus:
    vendors: tuple[ParsedVendor, ...]
    deployments: tuple[ParsedDeployment, ...]
    enhancements: tuple[ParsedEnhancement, ...]
    work_items: tuple[ParsedWorkItem, ...]
    session_prompts: tuple[ParsedSessionPrompt, ...]
    header_counts: dict[str, HeaderCount]
    entry_counts: dict[str, int]  # entries found per section, read or not
    problems: tuple[Problem, ...]

    @property
    def count_mismatches(self) -> list[CountMismatch]:
        return [
            CountMismatch(section, header.declared, self.entry_counts.get(section, 0))
            for section, header in self.header_counts.items()
            if header.declared != self.entry_counts.get(section, 0)
        ]


def deployment_metadata(deployment: ParsedDeployment) -> DeploymentMeta:
    """The metadata a deployment is recorded with: the commit, and whatever else the file shows."""
    metadata: DeploymentMeta = {"commit_hash": deployment.commit_hash}
    if deployment.pr_number is not None:
        metadata["pr_number"] = deployment.pr_number
    if deployment.pr_title is not None:
        metadata["pr_title"] = deployment.pr_title
    if deployment.test_summary is not None:
        metadata["test_summary"] = deployment.test_summary
    if deployment.constitutional_compliance is not None:
        metadata["constitutional_compliance"] = deployment.constitutional_compliance
    return metadata


def as_status_data(parsed: ParsedStatus) -> StatusData:
    return StatusData(
        vendors=[_vendor_data(vendor) for vendor in parsed.vendors],
        work_items=_work_items_data(parsed.work_items),
        deployments=[_deployment_data(deployment) for deployment in parsed.deployments],
        enhancements=_enhancements_data(parsed.enhancements),
        session_prompts=[_prompt_data(prompt) for prompt in parsed.session_prompts],
    )


def _ids_by_line(entries: list[tuple[int, str | None]]) -> dict[int, str]:
    """Each entry's id, or "line-<N>" for one without, never the same as an id the file gives."""
    taken = {entry_id for _, entry_id in entries if entry_id is not None}
    ids: dict[int, str] = {}
    for line, entry_id in entries:
        placeholder = f"line-{line}"
        while placeholder in taken:
            placeholder = f"_{placeholder}"
        ids[line] = entry_id or placeholder
    return ids


def _vendor_data(vendor: ParsedVendor) -> VendorOutline:
    return {"name": vendor.name, "status": vendor.status, "metadata": vendor.metadata.copy()}


def _deployment_data(deployment: ParsedDeployment) -> DeploymentOutline:
    return {
        "timestamp": deployment.timestamp.isoformat(),
        "commit_hash": deployment.commit_hash,
        "pr_number": deployment.pr_number,
        "metadata": deployment_metadata(deployment),
        "affected_vendors": [{"name": name} for name in deployment.vendor_names],
        "related_work_items": [{"id": ref} for ref in deployment.work_item_refs],
    }


def _enhancements_data(enhancements: tuple[ParsedEnhancement, ...]) -> list[EnhancementOutline]:
    ids_by_line = _ids_by_line([(enhancement.line, enhancement.id) for enhancement in enhancements])
    return [_enhancement_data(enhancement, ids_by_line[enhancement.line]) for enhancement in enhancements]


def _enhancement_data(enhancement: ParsedEnhancement, enhancement_id: str) -> EnhancementOutline:
    return {
        "id": enhancement_id,
        "title": enhancement.title,
        "priority": enhancement.priority,
        "status": enhancement.status,
        "target_quarter": enhancement.target_quarter,
        "description": enhancement.description,
        "requires_principles": list(enhancement.requires_principles),
        "depends_on": list(enhancement.depends_on),
    }


def _work_items_data(items: tuple[ParsedWorkItem, ...]) -> list[WorkItemOutline]:
    ids_by_line = _ids_by_line([(item.line, item.id) for item in items])
    return [
        {
            "id": ids_by_line[item.line],
            "parent_id": None if item.parent_line is None else ids_by_line.get(item.parent_line),
            "depth": item.depth,
            "item_type": item.item_type,
            "title": item.title,
            "status": item.status,
            "priority": item.priority,
            "branch_name": item.branch_name,
            "commit_hash": item.commit_hash,
            "pr_number": item.pr_number,
        }
        for item in items
    ]


def _prompt_data(prompt: ParsedSessionPrompt) -> SessionPromptShown:
    return {
        "recorded_at": datetime.combine(prompt.date, time(), UTC).isoformat(),
        "session_id": prompt.session_id,
        "frontmatter": dict(prompt.frontmatter),
        "content": prompt.content,
    }
