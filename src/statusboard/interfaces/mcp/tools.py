"""The MCP tools: their arguments (validated by Pydantic) and the one service call each makes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from statusboard.domain.agents import Role
from statusboard.domain.answers import ArchivingDone, Health, Nothing, SyncConflictPage
from statusboard.domain.claims import DEFAULT_LEASE_SECONDS, MAX_LEASE_SECONDS
from statusboard.domain.entities import (
    ArchivedPage,
    ChangesPage,
    ClaimedWorkItem,
    Dependency,
    Detail,
    NothingClaimed,
    ReadyWork,
    ReleasedClaim,
    RemovedDependency,
    RenewedClaim,
    UpdatedItems,
    WorkItemAnswer,
    WorkItemPage,
    WorkItemView,
)
from statusboard.domain.validation import EntityId
from statusboard.domain.work_items import (
    DependencyTypeName,
    ItemTypeName,
    NewWorkItem,
    StatusName,
    WorkItemChanges,
)
from statusboard.interfaces.mcp.record_tools import RECORD_TOOLS
from statusboard.interfaces.mcp.spec import Args, NoArgs, ToolSpec, Version, given_fields
from statusboard.resilience import item_projection
from statusboard.resilience import layer_answers as answers
from statusboard.resilience.kinds import DEPENDENCY, WORK_ITEM, Holds
from statusboard.resilience.policy import Journaled, Local, PrimaryOnly, Read
from statusboard.services.work_items import ItemUpdate
from statusboard.storage.repositories.work_items import ListFilter
from statusboard.wiring import App

ClaimToken = Annotated[str, Field(min_length=1, max_length=64, description="the token your claim returned")]
RowDetail = Annotated[
    Detail,
    Field(description="summary: id, item_type, title, status, parent_id, depth, version, claim; full: whole items"),
]
LeaseSeconds = Annotated[
    int, Field(ge=1, le=MAX_LEASE_SECONDS, description="how long the claim lasts unless renewed or released")
]


class UpdateWorkItemArgs(WorkItemChanges):
    id: EntityId
    version: Version
    claim_token: ClaimToken | None = None

    def changes(self) -> WorkItemChanges:
        return given_fields(self, WorkItemChanges, {"id", "version", "claim_token"})

    def as_update(self) -> ItemUpdate:
        return ItemUpdate(self.id, self.version, self.changes(), self.claim_token)


class UpdateWorkItemsArgs(Args):
    items: Annotated[list[UpdateWorkItemArgs], Field(min_length=1, max_length=100)]


class ItemVersionArgs(Args):
    id: EntityId
    version: Version


class QueryWorkItemArgs(Args):
    id: EntityId
    include_children: bool = False
    include_archived: bool = False


class ListWorkItemsArgs(Args):
    item_type: ItemTypeName | None = None
    status: StatusName | None = None
    parent_id: EntityId | None = None
    created_by: str | None = None
    include_deleted: bool = False
    limit: Annotated[int, Field(ge=1, le=500)] = 50
    offset: Annotated[int, Field(ge=0)] = 0
    detail: RowDetail = "summary"


class AddDependencyArgs(Args):
    work_item_id: EntityId
    depends_on_id: EntityId
    dependency_type: DependencyTypeName


class RemoveDependencyArgs(Args):
    work_item_id: EntityId
    depends_on_id: EntityId


class ListReadyWorkArgs(Args):
    item_type: ItemTypeName | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 20
    detail: RowDetail = "summary"


class ClaimWorkItemArgs(Args):
    id: EntityId | None = None
    lease_seconds: LeaseSeconds = DEFAULT_LEASE_SECONDS
    item_type: ItemTypeName | None = Field(default=None, description="without id: the next ready item of this type")
    claim_token: ClaimToken | None = Field(
        default=None, description="the token of your live claim on this item, to get that claim back"
    )


class RenewClaimArgs(Args):
    id: EntityId
    claim_token: ClaimToken
    lease_seconds: LeaseSeconds = DEFAULT_LEASE_SECONDS


class ReleaseClaimArgs(Args):
    id: EntityId
    claim_token: ClaimToken


class TriggerArchivingArgs(Args):
    older_than_days: Annotated[int, Field(ge=0, le=36500)] = 365


class PageArgs(Args):
    limit: Annotated[int, Field(ge=1, le=500)] = 50
    offset: Annotated[int, Field(ge=0)] = 0


class ListChangesArgs(Args):
    since_seq: Annotated[int, Field(ge=0)] = 0
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


def _update(app: App, actor: str, a: UpdateWorkItemArgs) -> Any:
    return app.work_items.update(actor, a.id, a.version, a.changes(), a.claim_token)


def _update_many(app: App, actor: str, a: UpdateWorkItemsArgs) -> dict[str, Any]:
    items = app.work_items.update_many(actor, [entry.as_update() for entry in a.items])
    return {"items": items, "count": len(items)}


def _list(app: App, _actor: str, a: ListWorkItemsArgs) -> Any:
    flt = ListFilter(a.item_type, a.status, a.parent_id, a.created_by, a.include_deleted)
    return app.work_items.list(flt, a.limit, a.offset, a.detail)


def _remove_dependency(app: App, actor: str, a: RemoveDependencyArgs) -> dict[str, Any]:
    return {"removed": True, **app.dependencies.remove(actor, a.work_item_id, a.depends_on_id)}


TOOLS: list[ToolSpec] = [
    ToolSpec(
        "create_work_item",
        "Create a work item (project, session, task or research), optionally under a parent. "
        "Returns the item at version 1.",
        NewWorkItem,
        lambda app, actor, a: app.work_items.create(actor, a),
        output=WorkItemAnswer,
        policy=Journaled(project=item_projection.create_item, holds=Holds(WORK_ITEM), creates=True),
        role=Role.AGENT,
    ),
    ToolSpec(
        "update_work_item",
        "Change a work item. Name the version you read: a stale version is refused with "
        "VersionConflictError and the current item. metadata is a patch (a null value removes a key); "
        "parent_id moves the item (null makes it a root).",
        UpdateWorkItemArgs,
        _update,
        output=WorkItemAnswer,
        policy=Journaled(project=item_projection.update_item, holds=Holds(WORK_ITEM)),
        role=Role.AGENT,
    ),
    ToolSpec(
        "update_work_items",
        "Change several work items at once, all or nothing: each entry is an update_work_item call "
        "(id, version, fields, claim_token). If any entry is refused, nothing changes and the error "
        "names the entry (details.index, or items.N in field paths).",
        UpdateWorkItemsArgs,
        _update_many,
        output=UpdatedItems,
        policy=Journaled(project=item_projection.update_items, holds=Holds(WORK_ITEM, "items")),
        role=Role.AGENT,
    ),
    ToolSpec(
        "delete_work_item",
        "Soft-delete a work item at the version you read. Items with live children are refused.",
        ItemVersionArgs,
        lambda app, actor, a: app.work_items.delete(actor, a.id, a.version),
        output=WorkItemAnswer,
        policy=Journaled(project=item_projection.delete_item, holds=Holds(WORK_ITEM)),
        role=Role.AGENT,
    ),
    ToolSpec(
        "query_work_item",
        "Read one work item with its parent chain (root first), its dependencies and, with "
        "include_children, every descendant.",
        QueryWorkItemArgs,
        lambda app, _actor, a: app.work_items.query(
            a.id, include_children=a.include_children, include_archived=a.include_archived
        ),
        output=WorkItemView,
        policy=Read(cache=answers.item_from_cache, file=answers.item_from_file, holds=Holds(WORK_ITEM)),
        role=Role.VIEWER,
    ),
    ToolSpec(
        "list_work_items",
        "List work items, oldest first, filtered by type, status, parent or creator; with total_count. Rows are "
        "summaries (id, item_type, title, status, parent_id, depth, version, claim) unless detail is full. "
        "has_more: rows past these match (the answer holds at most about 1 MB); next offset = offset + rows.",
        ListWorkItemsArgs,
        _list,
        output=WorkItemPage,
        policy=Read(cache=answers.items_from_cache, file=answers.items_from_file, holds=Holds(WORK_ITEM, "items")),
        role=Role.VIEWER,
    ),
    ToolSpec(
        "add_dependency",
        "Record that work_item_id depends on depends_on_id (depends_on), or blocks it (blocks). Cycles are refused.",
        AddDependencyArgs,
        lambda app, actor, a: app.dependencies.add(actor, a.work_item_id, a.depends_on_id, a.dependency_type),
        output=Dependency,
        policy=Journaled(project=item_projection.add_dependency, holds=Holds(DEPENDENCY), creates=True),
        role=Role.AGENT,
    ),
    ToolSpec(
        "remove_dependency",
        "Remove the dependency between work_item_id and depends_on_id.",
        RemoveDependencyArgs,
        _remove_dependency,
        output=RemovedDependency,
        policy=Journaled(project=item_projection.remove_dependency, holds=Holds(DEPENDENCY)),
        role=Role.AGENT,
    ),
    ToolSpec(
        "list_ready_work",
        "Work you can start now, oldest first: active, not deleted or archived, not claimed (or the "
        "claim expired), every item it depends on completed, and no open child (a project or session is "
        "ready once the work under it is done). Summary rows unless detail is full.",
        ListReadyWorkArgs,
        lambda app, _actor, a: app.claims.list_ready(a.item_type, a.limit, a.detail),
        output=ReadyWork,
        policy=Read(),
        role=Role.VIEWER,
    ),
    ToolSpec(
        "claim_work_item",
        "Claim a work item so no other agent works on it: by id, or without id the oldest ready item. "
        "Returns the item with claim_token, holder and expires_at (claimed: true), or claimed: false when "
        "nothing is ready. An item claimed by someone else answers ClaimConflictError at once. Pass "
        "claim_token to update_work_item while you work; renew before expires_at; completing the item "
        "releases the claim. The token proves the claim, not your name: keep it, and pass it here to get "
        "your claim back (no other answer shows it).",
        ClaimWorkItemArgs,
        lambda app, actor, a: app.claims.claim(actor, a.id, a.lease_seconds, a.item_type, a.claim_token),
        output=ClaimedWorkItem | NothingClaimed,
        policy=PrimaryOnly(),
        role=Role.AGENT,
    ),
    ToolSpec(
        "renew_claim",
        "Extend your claim: it then expires lease_seconds from now. A token that is no longer valid "
        "(expired, released or taken over) answers LeaseExpiredError.",
        RenewClaimArgs,
        lambda app, actor, a: app.claims.renew(actor, a.id, a.claim_token, a.lease_seconds),
        output=RenewedClaim,
        policy=PrimaryOnly(),
        role=Role.AGENT,
    ),
    ToolSpec(
        "release_claim",
        "Give up your claim so another agent can take the item.",
        ReleaseClaimArgs,
        lambda app, actor, a: app.claims.release(actor, a.id, a.claim_token),
        output=ReleasedClaim,
        policy=PrimaryOnly(),
        role=Role.AGENT,
    ),
    ToolSpec(
        "trigger_archiving",
        "Move work items unchanged for older_than_days (default 365) into the archive, in one "
        "transaction: whole subtrees only, never an item someone holds a claim on or one linked by a "
        "dependency to an item that stays. Reports progress; cancelling leaves everything as it was.",
        TriggerArchivingArgs,
        lambda app, actor, a, cancel, progress: app.archiving.trigger(
            actor, a.older_than_days, cancel=cancel, progress=progress
        ),
        output=ArchivingDone,
        policy=PrimaryOnly(),
        role=Role.ADMIN,
        cancellable=True,
    ),
    ToolSpec(
        "query_archived_work_items",
        "List archived work items, in the order they were archived, with total_count.",
        PageArgs,
        lambda app, _actor, a: app.archiving.list(a.limit, a.offset),
        output=ArchivedPage,
        policy=Read(),
        role=Role.VIEWER,
    ),
    ToolSpec(
        "list_changes",
        "Every write after since_seq, in seq order (none is skipped: a write still committing is waited for): "
        "the audit trail, and how a client catches up with what others did. "
        "Pass the returned last_seq as since_seq next time.",
        ListChangesArgs,
        lambda app, _actor, a: app.changes.list_changes(a.since_seq, a.limit),
        output=ChangesPage,
        policy=Read(),
        role=Role.VIEWER,
    ),
    *RECORD_TOOLS,
    ToolSpec(
        "get_health",
        "The primary database's state (up, down, or syncing the outage journal back), how many "
        "writes wait in the journal, how many conflicted on replay, the last sync and the cache's age.",
        NoArgs,
        lambda app, _actor, _a: app.resilience.health(),
        output=Health,
        policy=Local(),
        role=Role.VIEWER,
    ),
    ToolSpec(
        "list_sync_conflicts",
        "Writes acknowledged during an outage that the primary refused when they were replayed "
        "(a newer version, a deleted item, …): kept with their arguments and the refusal, never dropped.",
        PageArgs,
        lambda app, _actor, a: app.resilience.sync_conflicts(a.limit, a.offset),
        output=SyncConflictPage,
        policy=Local(),
        role=Role.ADMIN,
    ),
    ToolSpec(
        "ping",
        "Liveness check that touches no data.",
        NoArgs,
        lambda _app, _actor, _a: {},
        output=Nothing,
        policy=Local(),
        role=Role.VIEWER,
    ),
]
