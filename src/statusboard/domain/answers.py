"""What an answer may hold, and the shapes of the answers that are not entities: the status
report, the migration report, the archiving run, the server's health and its sync conflicts.

A list answer holds at most MAX_ANSWER_BYTES of rows as JSON, whatever `limit` asks for, so no
list (long metadata, long prompts, a deep change log) grows into an answer a client cannot take
in; `has_more` tells that the rest is there, and the next page starts where this one ended.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal, NotRequired, TypeVar

from typing_extensions import TypedDict

from statusboard.domain.reconciliation import ReportedProblem, VendorMetadataCheck
from statusboard.domain.records import DeploymentSummary, ReportedEnhancement, VendorHealth

MAX_ANSWER_BYTES = 1_000_000
Row = TypeVar("Row")
_COMPACT = (",", ":")  # as the answer's text is written (interfaces/mcp/server.py)


def within_bytes(rows: Sequence[Row], budget: int | None = None) -> list[Row]:
    """The longest run of `rows` from the first whose JSON (as the answer's text sends it) fits in
    `budget` bytes (MAX_ANSWER_BYTES); at least one row, so that paging through always moves on."""
    budget = MAX_ANSWER_BYTES if budget is None else budget
    if len(json.dumps(rows, default=str, separators=_COMPACT)) <= budget:  # one call for the common case
        return list(rows)
    used = 2  # the list's brackets
    for n, row in enumerate(rows):
        used += len(json.dumps(row, default=str, separators=_COMPACT)) + 1  # the row and its comma
        if used > budget:
            return list(rows[: max(n, 1)])
    return list(rows)


# -- the status report ----------------------------------------------------------------------------


class WorkItemCounts(TypedDict):
    """Live items (neither deleted nor archived) counted."""

    total_count: int
    by_type: dict[str, int]
    by_status: dict[str, int]
    by_priority: dict[str, int]  # high, medium, low, and "unset"


class ActiveWorkItems(WorkItemCounts):
    """The status report's `active_work_items`."""

    archived_count: int | None  # None where a fallback layer cannot tell


class StatusReport(TypedDict):
    """generate_full_status' answer."""

    generated_at: str
    as_of_seq: int  # the change log's settled seq the report is right at
    vendor_health: VendorHealth
    active_work_items: ActiveWorkItems
    recent_deployments: list[DeploymentSummary]
    pending_enhancements: list[ReportedEnhancement]
    markdown: NotRequired[str]  # with output_format markdown
    written_to: NotRequired[str]  # with write_file: the status file's path


# -- the migration report ----------------------------------------------------------------------------


class CountCheckShown(TypedDict):
    source: int
    migrated: int
    match: bool


class Reconciliation(TypedDict):
    vendor_count: CountCheckShown
    deployment_history: CountCheckShown
    enhancements: CountCheckShown
    session_prompts: CountCheckShown
    work_items: CountCheckShown
    vendor_metadata: VendorMetadataCheck


class HeaderMismatch(TypedDict):
    section: str
    declared: int
    found: int
    line: int


class MigrationReport(TypedDict):
    """migrate_from_markdown's answer. No entry of `errors` or `skipped` quotes the file: each
    names its line and says what is wrong in a few words."""

    success: bool
    data_preservation_percentage: float
    reconciliation: Reconciliation
    errors: list[ReportedProblem]
    skipped: list[ReportedProblem]
    header_count_mismatches: list[HeaderMismatch]
    imported: dict[str, int]  # new rows by section
    rollback_executed: bool
    dry_run: bool
    backup_path: str | None
    path: str


# -- housekeeping -----------------------------------------------------------------------------------


class ArchivingDone(TypedDict):
    """trigger_archiving's answer."""

    archived_count: int
    older_than_days: int
    cutoff: str


class PrimaryState(TypedDict):
    backend: str
    state: Literal["up", "down", "syncing"]
    since: str | None
    reason: str | None


class JournalCounts(TypedDict):
    pending: int
    conflicts: int


class LastSync(TypedDict):
    finished_at: str
    applied: int
    already_committed: int
    conflicts: int


class CacheState(TypedDict):
    path: str
    snapshot_age_minutes: float | None
    ttl_minutes: int


class Health(TypedDict):
    """get_health's answer."""

    status: Literal["ok", "degraded"]
    primary: PrimaryState
    journal: JournalCounts
    last_sync: LastSync | None
    cache: CacheState


class Refusal(TypedDict):
    """Why the primary refused a journaled write on replay: an error body's code, message, details."""

    error: str
    message: str
    details: dict[str, Any]


class SyncConflict(TypedDict):
    """A journaled write the primary refused on replay: its arguments as given, claim tokens
    left out (a token is a secret: only its holder may see it)."""

    journal_seq: int
    idempotency_key: str
    tool: str
    arguments: dict[str, Any]
    actor: str
    journaled_at: str
    error: Refusal | None


class SyncConflictPage(TypedDict):
    """list_sync_conflicts' answer."""

    conflicts: list[SyncConflict]
    total_count: int
    has_more: bool


class Nothing(TypedDict):
    """ping's answer: the envelope alone."""
