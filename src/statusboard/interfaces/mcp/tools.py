"""The MCP tools: their arguments (validated by Pydantic) and the one service call each makes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from statusboard.domain.errors import LeaseExpiredError
from statusboard.domain.validation import EntityId
from statusboard.domain.work_items import (
    DependencyTypeName,
    ItemTypeName,
    NewWorkItem,
    StatusName,
    WorkItemChanges,
)
from statusboard.storage.repositories.work_items import ListFilter
from statusboard.wiring import App

Version = Annotated[int, Field(ge=1, description="the version you read; a stale one is refused")]


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NoArgs(Args):
    pass


class UpdateWorkItemArgs(WorkItemChanges):
    id: EntityId
    version: Version
    claim_token: str | None = None

    def changes(self) -> WorkItemChanges:
        given = self.model_fields_set - {"id", "version", "claim_token"}
        return WorkItemChanges.model_validate(self.model_dump(include=given))


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


class AddDependencyArgs(Args):
    work_item_id: EntityId
    depends_on_id: EntityId
    dependency_type: DependencyTypeName


class RemoveDependencyArgs(Args):
    work_item_id: EntityId
    depends_on_id: EntityId


class ListChangesArgs(Args):
    since_seq: Annotated[int, Field(ge=0)] = 0
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


Handler = Callable[[App, str, Any], dict[str, Any]]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    args: type[BaseModel]
    run: Handler


def _update(app: App, actor: str, a: UpdateWorkItemArgs) -> dict[str, Any]:
    if a.claim_token is not None:
        # No claim has been issued on this server, so no token can be valid.
        raise LeaseExpiredError(None)
    return app.work_items.update(actor, a.id, a.version, a.changes())


def _list(app: App, _actor: str, a: ListWorkItemsArgs) -> dict[str, Any]:
    flt = ListFilter(a.item_type, a.status, a.parent_id, a.created_by, a.include_deleted)
    return app.work_items.list(flt, a.limit, a.offset)


def _remove_dependency(app: App, actor: str, a: RemoveDependencyArgs) -> dict[str, Any]:
    return {"removed": True, **app.dependencies.remove(actor, a.work_item_id, a.depends_on_id)}


TOOLS: list[ToolSpec] = [
    ToolSpec(
        "create_work_item",
        "Create a work item (project, session, task or research), optionally under a parent. "
        "Returns the item at version 1.",
        NewWorkItem,
        lambda app, actor, a: app.work_items.create(actor, a),
    ),
    ToolSpec(
        "update_work_item",
        "Change a work item. Name the version you read: a stale version is refused with "
        "VersionConflictError and the current item. metadata is a patch (a null value removes a key); "
        "parent_id moves the item (null makes it a root).",
        UpdateWorkItemArgs,
        _update,
    ),
    ToolSpec(
        "delete_work_item",
        "Soft-delete a work item at the version you read. Items with live children are refused.",
        ItemVersionArgs,
        lambda app, actor, a: app.work_items.delete(actor, a.id, a.version),
    ),
    ToolSpec(
        "query_work_item",
        "Read one work item with its parent chain (root first), its dependencies and, with "
        "include_children, every descendant.",
        QueryWorkItemArgs,
        lambda app, _actor, a: app.work_items.query(
            a.id, include_children=a.include_children, include_archived=a.include_archived
        ),
    ),
    ToolSpec(
        "list_work_items",
        "List work items, oldest first, filtered by type, status, parent or creator; with total_count.",
        ListWorkItemsArgs,
        _list,
    ),
    ToolSpec(
        "add_dependency",
        "Record that work_item_id depends on depends_on_id (depends_on), or blocks it (blocks). Cycles are refused.",
        AddDependencyArgs,
        lambda app, actor, a: app.dependencies.add(actor, a.work_item_id, a.depends_on_id, a.dependency_type),
    ),
    ToolSpec(
        "remove_dependency",
        "Remove the dependency between work_item_id and depends_on_id.",
        RemoveDependencyArgs,
        _remove_dependency,
    ),
    ToolSpec(
        "list_changes",
        "Every write in commit order after since_seq: the audit trail, and how a client catches up "
        "with what others did. Pass the returned last_seq as since_seq next time.",
        ListChangesArgs,
        lambda app, _actor, a: app.changes.list_changes(a.since_seq, a.limit),
    ),
    ToolSpec(
        "ping",
        "Liveness check that touches no data.",
        NoArgs,
        lambda _app, _actor, _a: {},
    ),
]
