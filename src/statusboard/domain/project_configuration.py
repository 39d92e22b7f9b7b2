"""The project configuration: one row, versioned like every other record."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator

from statusboard.domain.limits import NAME_MAX, StorableText
from statusboard.domain.updates import PATCH_CONFIG, given_fields, refuse_no_changes
from statusboard.domain.validation import SingleLine
from statusboard.domain.work_items import CommitHash, ItemTypeName, git_branch

CONFIGURATION_ID = "00000000-0000-0000-0000-000000000001"
HealthStatus = Literal["healthy", "degraded", "unhealthy"]


class ConfigurationChanges(StorableText):
    """The settable fields; an absent field stays as it is, null clears it."""

    model_config = PATCH_CONFIG
    active_context_type: ItemTypeName | None = Field(None, description="item type in focus")
    default_token_budget: Annotated[int, Field(ge=1000, le=1_000_000)] | None = Field(
        None, description="tokens a session may use"
    )
    current_session_id: Annotated[SingleLine, StringConstraints(max_length=NAME_MAX)] | None = Field(
        None, description="the session in progress"
    )
    git_branch: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = Field(
        None, description="checked-out branch"
    )
    git_head: CommitHash | None = Field(None, description="checked-out commit")
    git_dirty: bool | None = Field(None, description="uncommitted changes")
    health_status: HealthStatus | None = Field(None, description="the project's health")

    @field_validator("git_branch")
    @classmethod
    def _branch(cls, value: str | None) -> str | None:
        return None if value is None else git_branch(value)


def configuration_changes(changes: ConfigurationChanges) -> dict[str, Any]:
    """The settings an update gives (at least one; a null clears a setting)."""
    given = given_fields(changes)
    refuse_no_changes(given, "version", "setting")
    return given
