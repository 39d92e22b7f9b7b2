"""The MCP tools: their arguments (validated by Pydantic) and the one service call each makes."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from statusboard.config import Toolset
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
from statusboard.domain.limits import LIST_MAX, MAX_SAFE_INTEGER, Name, Offset
from statusboard.domain.validation import EntityId
from statusboard.domain.work_items import (
    DependencyTypeName,
    ItemTypeName,
    NewWorkItem,
    StatusName,
    WorkItemChanges,
)
from statusboard.interfaces.mcp.record_tools import RECORD_TOOLS
from statusboard.interfaces.mcp.schemas import AS_DESCRIBED_IN
from statusboard.interfaces.mcp.spec import (
    ADDS,
    CHANGES,
    READS,
    Args,
    Effect,
    NoArgs,
    ToolSpec,
    Version,
    given_fields,
)
from statusboard.resilience import item_projection
from statusboard.resilience import layer_answers as answers
from statusboard.resilience.kinds import DEPENDENCY, WORK_ITEM, Holds
from statusboard.resilience.policy import Journaled, Local, PrimaryOnly, Read
from statusboard.services.work_items import ItemUpdate
from statusboard.storage.repositories.work_items import ListFilter
from statusboard.wiring import App

ClaimToken = Annotated[str, Field(min_length=1, max_length=64, description="your claim's token")]
LeaseSeconds = Annotated[int, Field(ge=1, le=MAX_LEASE_SECONDS, description="claim length")]
ItemId = Annotated[EntityId, Field(description="the work item")]
OnlyType = Annotated[ItemTypeName | None, Field(description="only this type")]
RowDetail = Annotated[Detail, Field(description="summary rows, or full items")]


class UpdateWorkItemArgs(WorkItemChanges):
    id: ItemId
    version: Version
    claim_token: ClaimToken | None = None

    def changes(self) -> WorkItemChanges:
        return given_fields(self, WorkItemChanges, {"id", "version", "claim_token"})

    def as_update(self) -> ItemUpdate:
        return ItemUpdate(self.id, self.version, self.changes(), self.claim_token)


class UpdateWorkItemsArgs(Args):
    items: Annotated[
        list[UpdateWorkItemArgs],
        Field(
            min_length=1,
            max_length=LIST_MAX,
            description="update_work_item arguments, one per item",
            json_schema_extra={AS_DESCRIBED_IN: "update_work_item"},
        ),
    ]


class ItemVersionArgs(Args):
    id: ItemId
    version: Version


class QueryWorkItemArgs(Args):
    id: ItemId
    include_children: bool = Field(False, description="add all descendants")
    include_archived: bool = Field(False, description="also if archived")


class ListWorkItemsArgs(Args):
    item_type: OnlyType = None
    status: StatusName | None = Field(None, description="only this status")
    parent_id: EntityId | None = Field(None, description="only its children")
    created_by: Name | None = Field(None, description="only by this creator")
    include_deleted: bool = Field(False, description="also soft-deleted")
    limit: Annotated[int, Field(ge=1, le=500, description="page size")] = 50
    offset: Offset = 0
    detail: RowDetail = "summary"


class AddDependencyArgs(Args):
    work_item_id: ItemId
    depends_on_id: EntityId = Field(description="the other item")
    dependency_type: DependencyTypeName = Field(description="depends_on: waits for it; blocks: it waits")


class RemoveDependencyArgs(Args):
    work_item_id: ItemId
    depends_on_id: EntityId = Field(description="the other item")


class ListReadyWorkArgs(Args):
    item_type: OnlyType = None
    limit: Annotated[int, Field(ge=1, le=500, description="page size")] = 20
    detail: RowDetail = "summary"


class ClaimWorkItemArgs(Args):
    id: EntityId | None = Field(None, description="omit: the oldest ready item")
    lease_seconds: LeaseSeconds = DEFAULT_LEASE_SECONDS
    item_type: ItemTypeName | None = Field(default=None, description="without id: of this type")
    claim_token: ClaimToken | None = Field(default=None, description="to get your claim back")


class RenewClaimArgs(Args):
    id: ItemId
    claim_token: ClaimToken
    lease_seconds: LeaseSeconds = DEFAULT_LEASE_SECONDS


class ReleaseClaimArgs(Args):
    id: ItemId
    claim_token: ClaimToken


class TriggerArchivingArgs(Args):
    older_than_days: Annotated[int, Field(ge=0, le=36500, description="unchanged for this long")] = 365


class PageArgs(Args):
    limit: Annotated[int, Field(ge=1, le=500, description="page size")] = 50
    offset: Offset = 0


class ListChangesArgs(Args):
    since_seq: Annotated[int, Field(ge=0, le=MAX_SAFE_INTEGER, description="last seq seen")] = 0
    limit: Annotated[int, Field(ge=1, le=1000, description="page size")] = 100


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
        "Create a work item at version 1, at most 5 levels below its root.",
        NewWorkItem,
        lambda app, actor, a: app.work_items.create(actor, a),
        output=WorkItemAnswer,
        policy=Journaled(project=item_projection.create_item, holds=Holds(WORK_ITEM), creates=True),
        role=Role.AGENT,
        title="Create work item",
        effect=ADDS,
        toolset=Toolset.AGENT,
    ),
    ToolSpec(
        "update_work_item",
        "Change the fields given (null clears one); a stale version gets VersionConflictError.",
        UpdateWorkItemArgs,
        _update,
        output=WorkItemAnswer,
        policy=Journaled(project=item_projection.update_item, holds=Holds(WORK_ITEM)),
        role=Role.AGENT,
        title="Update work item",
        effect=CHANGES,
        toolset=Toolset.AGENT,
    ),
    ToolSpec(
        "update_work_items",
        "Several update_work_item calls, all or nothing; a refusal names the entry.",
        UpdateWorkItemsArgs,
        _update_many,
        output=UpdatedItems,
        policy=Journaled(project=item_projection.update_items, holds=Holds(WORK_ITEM, "items")),
        role=Role.AGENT,
        title="Update work items",
        effect=CHANGES,
        toolset=Toolset.AGENT,
    ),
    ToolSpec(
        "delete_work_item",
        "Soft-delete a work item that has no live children.",
        ItemVersionArgs,
        lambda app, actor, a: app.work_items.delete(actor, a.id, a.version),
        output=WorkItemAnswer,
        policy=Journaled(project=item_projection.delete_item, holds=Holds(WORK_ITEM)),
        role=Role.AGENT,
        title="Delete work item",
        effect=CHANGES,
        toolset=Toolset.AGENT,
    ),
    ToolSpec(
        "query_work_item",
        "A work item with its parent chain, dependencies and optionally descendants.",
        QueryWorkItemArgs,
        lambda app, _actor, a: app.work_items.query(
            a.id, include_children=a.include_children, include_archived=a.include_archived
        ),
        output=WorkItemView,
        policy=Read(cache=answers.item_from_cache, file=answers.item_from_file, holds=Holds(WORK_ITEM)),
        role=Role.VIEWER,
        title="Read work item",
        effect=READS,
        toolset=Toolset.AGENT,
    ),
    ToolSpec(
        "list_work_items",
        "Work items, oldest first; has_more: more from offset + rows.",
        ListWorkItemsArgs,
        _list,
        output=WorkItemPage,
        policy=Read(cache=answers.items_from_cache, file=answers.items_from_file, holds=Holds(WORK_ITEM, "items")),
        role=Role.VIEWER,
        title="List work items",
        effect=READS,
        toolset=Toolset.AGENT,
    ),
    ToolSpec(
        "add_dependency",
        "Link two work items; cycles are refused.",
        AddDependencyArgs,
        lambda app, actor, a: app.dependencies.add(actor, a.work_item_id, a.depends_on_id, a.dependency_type),
        output=Dependency,
        policy=Journaled(project=item_projection.add_dependency, holds=Holds(DEPENDENCY), creates=True),
        role=Role.AGENT,
        title="Add dependency",
        effect=Effect(read_only=False, idempotent=True),
        toolset=Toolset.AGENT,
    ),
    ToolSpec(
        "remove_dependency",
        "Unlink two work items.",
        RemoveDependencyArgs,
        _remove_dependency,
        output=RemovedDependency,
        policy=Journaled(project=item_projection.remove_dependency, holds=Holds(DEPENDENCY)),
        role=Role.AGENT,
        title="Remove dependency",
        effect=CHANGES,
        toolset=Toolset.AGENT,
    ),
    ToolSpec(
        "list_ready_work",
        "Work to start now, oldest first: active, unclaimed, dependencies and children done.",
        ListReadyWorkArgs,
        lambda app, _actor, a: app.claims.list_ready(a.item_type, a.limit, a.detail),
        output=ReadyWork,
        policy=Read(),
        role=Role.VIEWER,
        title="List ready work",
        effect=READS,
        toolset=Toolset.AGENT,
    ),
    ToolSpec(
        "claim_work_item",
        "Claim a work item (claimed: false if none is ready); pass claim_token to your writes, renew before "
        "expires_at, complete to release.",
        ClaimWorkItemArgs,
        lambda app, actor, a: app.claims.claim(actor, a.id, a.lease_seconds, a.item_type, a.claim_token),
        output=ClaimedWorkItem | NothingClaimed,
        policy=PrimaryOnly(),
        role=Role.AGENT,
        title="Claim work item",
        effect=ADDS,
        toolset=Toolset.AGENT,
    ),
    ToolSpec(
        "renew_claim",
        "Extend your claim.",
        RenewClaimArgs,
        lambda app, actor, a: app.claims.renew(actor, a.id, a.claim_token, a.lease_seconds),
        output=RenewedClaim,
        policy=PrimaryOnly(),
        role=Role.AGENT,
        title="Renew claim",
        effect=Effect(read_only=False),
        toolset=Toolset.AGENT,
    ),
    ToolSpec(
        "release_claim",
        "Give up your claim.",
        ReleaseClaimArgs,
        lambda app, actor, a: app.claims.release(actor, a.id, a.claim_token),
        output=ReleasedClaim,
        policy=PrimaryOnly(),
        role=Role.AGENT,
        title="Release claim",
        effect=CHANGES,
        toolset=Toolset.AGENT,
    ),
    ToolSpec(
        "trigger_archiving",
        "Archive subtrees unchanged for older_than_days, except claimed or linked items.",
        TriggerArchivingArgs,
        lambda app, actor, a, cancel, progress: app.archiving.trigger(
            actor, a.older_than_days, cancel=cancel, progress=progress
        ),
        output=ArchivingDone,
        policy=PrimaryOnly(),
        role=Role.ADMIN,
        title="Archive old work items",
        effect=CHANGES,
        toolset=Toolset.ADMIN,
        cancellable=True,
    ),
    ToolSpec(
        "query_archived_work_items",
        "Archived work items, in the order archived.",
        PageArgs,
        lambda app, _actor, a: app.archiving.list(a.limit, a.offset),
        output=ArchivedPage,
        policy=Read(),
        role=Role.VIEWER,
        title="List archived work items",
        effect=READS,
        toolset=Toolset.ADMIN,
    ),
    ToolSpec(
        "list_changes",
        "Every write after since_seq, in order; pass last_seq back to follow.",
        ListChangesArgs,
        lambda app, _actor, a: app.changes.list_changes(a.since_seq, a.limit),
        output=ChangesPage,
        policy=Read(),
        role=Role.VIEWER,
        title="List changes",
        effect=READS,
        toolset=Toolset.AGENT,
    ),
    *RECORD_TOOLS,
    ToolSpec(
        "get_health",
        "State of the database, outage journal and cache.",
        NoArgs,
        lambda app, _actor, _a: app.resilience.health(),
        output=Health,
        policy=Local(),
        role=Role.VIEWER,
        title="Health",
        effect=READS,
        toolset=Toolset.AGENT,
    ),
    ToolSpec(
        "list_sync_conflicts",
        "Outage writes the primary refused on replay.",
        PageArgs,
        lambda app, _actor, a: app.resilience.sync_conflicts(a.limit, a.offset),
        output=SyncConflictPage,
        policy=Local(),
        role=Role.ADMIN,
        title="List sync conflicts",
        effect=READS,
        toolset=Toolset.ADMIN,
    ),
    ToolSpec(
        "ping",
        "Liveness check.",
        NoArgs,
        lambda _app, _actor, _a: {},
        output=Nothing,
        policy=Local(),
        role=Role.VIEWER,
        title="Ping",
        effect=READS,
        toolset=Toolset.AGENT,
    ),
]
