"""The shapes work items, their claims and dependencies, and change-log entries travel in.

TypedDicts: at run time each is the plain dict a row becomes (nothing is converted, which
matters on the hottest reads), while mypy checks every key read and written. Timestamps are
ISO-8601 text in UTC (`clock.iso`). A key that only some answers carry is NotRequired.
The project records (vendors, deployments, enhancements, the configuration, session prompts)
are in `records.py`.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired

# pydantic reads these shapes to write the tools' output schemas (interfaces/mcp/outputs.py),
# and on Python 3.11 it reads only typing_extensions' TypedDict.
from typing_extensions import TypedDict

# -- work items ----------------------------------------------------------------------------


class WorkItem(TypedDict):
    """A work item as stored and returned: a row of `work_items`, or of the archive."""

    id: str
    version: int
    item_type: str
    title: str
    status: str
    parent_id: str | None
    path: str
    depth: int
    branch_name: str | None
    commit_hash: str | None
    pr_number: int | None
    metadata: dict[str, Any]
    deleted_at: str | None
    archived: bool
    created_at: str
    updated_at: str
    created_by: str
    updated_by: str
    archived_at: NotRequired[str]  # an archived item's: when it left the live table


class ClaimShown(TypedDict):
    """A live claim as every work item result shows it: who holds it and until when, never its token."""

    holder: str
    expires_at: str


class WorkItemAnswer(WorkItem):
    """A work item as a tool returns it: with its live claim, or null when it has none."""

    claim: ClaimShown | None


class WorkItemSummary(TypedDict):
    """A row of list_work_items and list_ready_work unless `detail` is full: what choosing and
    claiming work needs, and the version an update names."""

    id: str
    item_type: str
    title: str
    status: str
    parent_id: str | None
    depth: int
    version: int
    claim: ClaimShown | None


SUMMARY_FIELDS = ("id", "item_type", "title", "status", "parent_id", "depth", "version", "claim")
Detail = Literal["summary", "full"]


def summary(item: WorkItemAnswer) -> WorkItemSummary:
    return {
        "id": item["id"],
        "item_type": item["item_type"],
        "title": item["title"],
        "status": item["status"],
        "parent_id": item["parent_id"],
        "depth": item["depth"],
        "version": item["version"],
        "claim": item["claim"],
    }


class WorkItemNode(WorkItem):
    """A descendant in query_work_item's `children`, with its own below it."""

    children: list[WorkItemNode]


class WorkItemView(WorkItemAnswer):
    """query_work_item's answer: the item with its ancestors (root first), descendants and dependencies."""

    parent_chain: list[WorkItem]
    children: list[WorkItemNode]
    children_truncated: bool
    dependencies: list[DependencyView]


class WorkItemRef(TypedDict):
    """A work item named by its id alone (a deployment's, in the status file)."""

    id: str


class WorkItemHeadline(TypedDict):
    """What a tree shows of a live work item on its line: the board's tree rows."""

    id: str
    parent_id: str | None
    item_type: str
    title: str
    status: str
    priority: str | None  # the metadata's


class WorkItemOutline(WorkItemHeadline):
    """What the status file shows of a live work item: its line in the `## Work Items` section.

    The one record of it: read from the database (`work_items.live_outline`), read back from
    the file (`parsed_status.as_status_data`), made from an entity body (`views.work_item_outline`)
    and written by `status_markdown`.
    """

    depth: int
    branch_name: str | None
    commit_hash: str | None
    pr_number: int | None


OUTLINE_FIELDS = (
    "id",
    "parent_id",
    "depth",
    "item_type",
    "title",
    "status",
    "priority",
    "branch_name",
    "commit_hash",
    "pr_number",
)
OutlineRow = tuple[str, str | None, int, str, str, str, str | None, str | None, str | None, int | None]
"""A WorkItemOutline's values in OUTLINE_FIELDS order: the form the database streams the file's
thousands of lines in, each written as it comes and never made into a dict."""


# -- dependencies ----------------------------------------------------------------------------


class Dependency(TypedDict):
    id: str
    work_item_id: str
    depends_on_id: str
    dependency_type: str  # depends_on | blocks
    created_at: str
    created_by: str


class DependencyView(TypedDict):
    """A dependency as query_work_item shows it from one of its ends."""

    id: str
    type: str
    direction: Literal["outgoing", "incoming"]
    related_item: WorkItem  # the item at the other end
    created_at: str
    created_by: str


class Predecessor(TypedDict):
    """An unfinished item another one waits on (the board's blocked list)."""

    id: str
    title: str
    status: str
    dependency_type: str


# -- claims ------------------------------------------------------------------------------------


class ClaimLease(TypedDict):
    """What tells whether a claim is live: its holder, its expiry, and whether it ended."""

    holder: str
    expires_at: str
    ended_at: str | None


class ArchivedClaim(ClaimLease):
    """A claim as an archived item keeps it: without its token (a secret, and useless there)."""

    id: str
    work_item_id: str
    epoch: int
    claimed_at: str
    end_reason: str | None


class Claim(ArchivedClaim):
    """A row of `work_item_claims`."""

    token: str


class ClaimGrant(TypedDict):
    """What a claim answer tells its holder (the only answers that carry the token)."""

    claim_token: str
    holder: str
    epoch: int
    expires_at: str


class ClaimedWorkItem(WorkItemAnswer, ClaimGrant):
    """claim_work_item's answer: the item and the claim on it (`claim` shows it without the token)."""

    claimed: Literal[True]


class NothingClaimed(TypedDict):
    """claim_work_item's answer when no item is ready."""

    claimed: Literal[False]


class RenewedClaim(ClaimGrant):
    id: str


class ReleasedClaim(TypedDict):
    id: str
    released: Literal[True]
    holder: str


# -- the change log ---------------------------------------------------------------------------


class EntityChange(TypedDict):
    """A change-log entry about an entity the reader already knows (an item's history)."""

    seq: int
    entity: str
    version: int | None
    op: str
    actor: str
    at: str
    fields: dict[str, Any]  # what the write set, as it logged it


class ChangeLogEntry(EntityChange):
    """A change-log entry as list_changes, the board and the event stream give it."""

    entity_id: str


# -- list answers -------------------------------------------------------------------------------
# Each list answer holds as many rows as `limit` asks and MAX_ANSWER_BYTES allow
# (domain/answers.py); `has_more` says whether rows past them match.


class WorkItemPage(TypedDict):
    """list_work_items' answer: summary rows, or whole items with `detail: full`."""

    items: list[WorkItemSummary] | list[WorkItemAnswer]
    total_count: int
    limit: int
    offset: int
    has_more: bool


class ReadyWork(TypedDict):
    """list_ready_work's answer: summary rows, or whole items with `detail: full`, oldest first."""

    items: list[WorkItemSummary] | list[WorkItemAnswer]
    count: int
    has_more: bool


class ArchivedPage(TypedDict):
    """query_archived_work_items' answer: archived items as they left, in the order they left."""

    items: list[WorkItemAnswer]
    total_count: int
    limit: int
    offset: int
    has_more: bool


class UpdatedItems(TypedDict):
    """update_work_items' answer: the items in the order the updates named them."""

    items: list[WorkItemAnswer]
    count: int


class RemovedDependency(Dependency):
    removed: Literal[True]


class ChangesPage(TypedDict):
    """list_changes' answer: the entries after a seq, and the seq to ask after next."""

    changes: list[ChangeLogEntry]
    last_seq: int
    has_more: bool
