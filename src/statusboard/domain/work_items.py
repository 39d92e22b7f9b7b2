"""Work items: the kinds, the statuses, per-type metadata and the field rules."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema, field_validator

from statusboard.domain.errors import ValidationError
from statusboard.domain.limits import (
    COLUMN_INT_MAX,
    BoundedList,
    CheckedAs,
    Count,
    FreeText,
    Name,
    SafeInt,
    StorableText,
    Title,
)
from statusboard.domain.updates import PATCH_CONFIG, given_fields, patch_config, refuse_nulls
from statusboard.domain.validation import EntityId, validated

MAX_DEPTH = 5
CLEARABLE = frozenset({"parent_id", "branch_name", "commit_hash", "pr_number"})  # what an update may set to null
LIST_FILTERS = ("item_type", "status", "parent_id", "created_by")  # what list_work_items filters on


class ItemType(StrEnum):
    PROJECT = "project"
    SESSION = "session"
    TASK = "task"
    RESEARCH = "research"


Priority = Literal["high", "medium", "low"]
Hours = Annotated[float, Field(ge=0, le=1000)]
BlockedReason = Annotated[str, Field(max_length=500)]
ProjectDescription = Annotated[str, Field(max_length=1000)]
MetadataQuarter = Annotated[str, Field(pattern=r"^\d{4}-Q[1-4]$")]
TokenBudget = Annotated[int, Field(ge=1000, le=1_000_000)]
Texts = BoundedList[FreeText]
FrontmatterVersion = Annotated[Name | SafeInt | float, WithJsonSchema({"type": ["string", "number"]})]


class _Metadata(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    priority: Priority | None = None


class TaskMetadata(_Metadata):
    estimated_hours: Hours | None = None
    actual_hours: Hours | None = None
    blocked_reason: BlockedReason | None = None


class ProjectMetadata(_Metadata):
    description: ProjectDescription | None = None
    target_quarter: MetadataQuarter | None = None
    constitutional_principles: Texts | None = None


class YamlFrontmatter(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    schema_version: FrontmatterVersion


class SessionMetadata(_Metadata):
    token_budget: TokenBudget | None = None
    prompts_count: Count | None = None
    yaml_frontmatter: YamlFrontmatter | None = None


class ResearchMetadata(_Metadata):
    research_questions: Texts | None = None
    findings_summary: FreeText | None = None
    references: Texts | None = None


class ItemMetadata(_Metadata):
    """Every key any type accepts, each described by the types that accept it: what an argument
    may hold before the item's type is known (an update). The type's own model then decides."""

    priority: Priority | None = Field(None, description="every type")
    estimated_hours: Hours | None = Field(None, description="task")
    actual_hours: Hours | None = Field(None, description="task")
    blocked_reason: BlockedReason | None = Field(None, description="task")
    description: ProjectDescription | None = Field(None, description="project")
    target_quarter: MetadataQuarter | None = Field(None, description="project")
    constitutional_principles: Texts | None = Field(None, description="project")
    token_budget: TokenBudget | None = Field(None, description="session")
    prompts_count: Count | None = Field(None, description="session")
    yaml_frontmatter: YamlFrontmatter | None = Field(None, description="session")
    research_questions: Texts | None = Field(None, description="research")
    findings_summary: FreeText | None = Field(None, description="research")
    references: Texts | None = Field(None, description="research")


METADATA_MODELS: dict[ItemType, type[_Metadata]] = {
    ItemType.PROJECT: ProjectMetadata,
    ItemType.SESSION: SessionMetadata,
    ItemType.TASK: TaskMetadata,
    ItemType.RESEARCH: ResearchMetadata,
}


def validate_metadata(item_type: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """Checks metadata against its type's model; returns it normalized, without empty keys."""
    model = validated(METADATA_MODELS[ItemType(item_type)], metadata, prefix="metadata")
    return model.model_dump(mode="json", exclude_none=True)


def merge_metadata(current: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """An update's metadata is a patch: given keys replace, a null value removes the key."""
    merged = {**current, **patch}
    return {key: value for key, value in merged.items() if value is not None}


def patched_metadata(
    item_type: str | None, current: Mapping[str, Any] | None, patch: Mapping[str, Any]
) -> dict[str, Any]:
    """An item's metadata after an update's patch, checked against its type (an outage's local
    view may not know the type: then the replay checks it)."""
    merged = merge_metadata(current or {}, patch)
    return merged if item_type is None else validate_metadata(item_type, merged)


_BAD_REF = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//")


def git_branch(value: str) -> str:
    if (
        _BAD_REF.search(value)
        or value.startswith(("-", "/", "."))
        or value.endswith(("/", ".", ".lock"))
        or value == "@"
    ):
        raise ValueError("not a valid git branch name")
    return value


BranchName = Annotated[str, StringConstraints(min_length=1, max_length=255)]
CommitHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{7,40}$")]
PrNumber = Annotated[int, Field(ge=1, le=COLUMN_INT_MAX)]


class _GitFields(StorableText):
    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("title", check_fields=False)
    @classmethod
    def _title_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("branch_name", check_fields=False)
    @classmethod
    def _branch(cls, value: str | None) -> str | None:
        return None if value is None else git_branch(value)


ItemTypeName = Literal["project", "session", "task", "research"]
StatusName = Literal["active", "completed", "blocked"]
DependencyTypeName = Literal["depends_on", "blocks"]


class ItemMetadataPatch(ItemMetadata):
    model_config = PATCH_CONFIG


ItemMetadataArg = Annotated[dict[str, Any], CheckedAs(ItemMetadata)]
ItemMetadataPatchArg = Annotated[dict[str, Any], CheckedAs(ItemMetadataPatch)]


class NewWorkItem(_GitFields):
    item_type: ItemTypeName = Field(description="the kind of item")
    title: Title = Field(description="summary")
    parent_id: EntityId | None = Field(None, description="omit for a root")
    status: StatusName = Field("active", description="initial status")
    metadata: ItemMetadataArg = Field(default_factory=dict, description="keys name their item types")
    branch_name: BranchName | None = Field(None, description="git branch")
    commit_hash: CommitHash | None = Field(None, description="git commit")
    pr_number: PrNumber | None = Field(None, description="PR number")


class WorkItemChanges(_GitFields):
    """The fields an update may change; absent fields stay as they are."""

    model_config = patch_config(CLEARABLE)

    title: Title | None = Field(None, description="new title")
    status: StatusName | None = Field(None, description="new status")
    parent_id: EntityId | None = Field(None, description="null: a root")
    metadata: ItemMetadataPatchArg | None = Field(None, description="patch: null removes a key")
    branch_name: BranchName | None = Field(None, description="git branch")
    commit_hash: CommitHash | None = Field(None, description="git commit")
    pr_number: PrNumber | None = Field(None, description="PR number")


def item_changes(changes: WorkItemChanges) -> dict[str, Any]:
    """The fields an update gives; a null clears only the CLEARABLE ones."""
    given = given_fields(changes)
    refuse_nulls(given, CLEARABLE)
    return given


def check_batch_ids(ids: Sequence[str]) -> None:
    """A batch of updates names at least one item, and each item once."""
    if not ids:
        raise ValidationError.single("items", "give at least one update")
    first: dict[str, int] = {}
    for index, item_id in enumerate(ids):
        if item_id in first:
            raise ValidationError.single(f"items.{index}.id", f"repeats items.{first[item_id]}.id")
        first[item_id] = index


def new_work_item(
    item_id: str,
    draft: NewWorkItem,
    metadata: dict[str, Any],
    place: tuple[str, int] | tuple[None, None],
    actor: str,
    at: datetime,
) -> dict[str, Any]:
    """A new item's stored row at version 1; `metadata` is the draft's, already validated, and
    `place` its path and depth (see `placement`; unknown while an outage's local view cannot
    place it)."""
    path, depth = place
    return {
        **draft.model_dump(mode="json", exclude={"metadata"}),
        "id": item_id,
        "version": 1,
        "metadata": metadata,
        "path": path,
        "depth": depth,
        "deleted_at": None,
        "archived": False,
        "created_at": at,
        "updated_at": at,
        "created_by": actor,
        "updated_by": actor,
    }


def placement(item_id: str, parent: Mapping[str, Any] | None, height: int = 0) -> tuple[str, int]:
    """The path and depth of an item placed at the root (`parent` None) or below `parent` (a row
    with its path and depth). Refused when the parent is deleted or archived, is the item or
    lies below it, or when the item, or the `height` levels of its subtree, would lie deeper
    than MAX_DEPTH."""
    if parent is None:
        return root_path(item_id), 0
    if parent.get("deleted_at") is not None or parent.get("archived"):
        raise ValidationError.single("parent_id", "parent is deleted or archived")
    if item_id in ids_in_path(parent["path"]):
        raise ValidationError.single("parent_id", "would make the item its own ancestor (a cycle)")
    depth = int(parent["depth"]) + 1
    check_depth(depth + height)
    return child_path(parent["path"], item_id), depth


def child_path(parent_path: str, item_id: str) -> str:
    return f"{parent_path}{item_id}/"


def root_path(item_id: str) -> str:
    return f"/{item_id}/"


def ids_in_path(path: str) -> list[str]:
    """Root first, the item itself last."""
    return [part for part in path.split("/") if part]


def check_depth(depth: int, field: str = "parent_id") -> None:
    if depth > MAX_DEPTH:
        raise ValidationError.single(field, f"hierarchy deeper than {MAX_DEPTH} levels below the root")
