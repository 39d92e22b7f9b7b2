"""Deployments: what was shipped, when, and what it touched. Immutable once recorded."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from statusboard.domain.clock import UtcTimestamp
from statusboard.domain.limits import NAME_MAX, TITLE_MAX, BoundedList, Count, StorableText
from statusboard.domain.validation import EntityId, SingleLine
from statusboard.domain.work_items import CommitHash, PrNumber

VendorRef = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX)]
TestName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")]


class DeploymentMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    commit_hash: CommitHash
    pr_number: PrNumber | None = None
    pr_title: Annotated[SingleLine, StringConstraints(max_length=TITLE_MAX)] | None = None
    test_summary: (
        Annotated[dict[TestName, Count], Field(max_length=20, json_schema_extra={"additionalProperties": False})] | None
    ) = None
    constitutional_compliance: bool | None = None


class NewDeployment(StorableText):
    model_config = ConfigDict(extra="forbid", strict=True)
    metadata: DeploymentMetadata = Field(description="what was shipped")
    vendor_ids: BoundedList[EntityId] = Field(default_factory=list, description="vendors")
    vendor_names: BoundedList[VendorRef] = Field(default_factory=list, description="vendors by name")
    work_item_ids: BoundedList[EntityId] = Field(default_factory=list, description="work items")
    timestamp: Annotated[UtcTimestamp, Field(description="when it shipped; default now")] | None = None


KNOWN_TESTS = ("passed", "failed", "skipped")


def ordered_test_summary(summary: dict[str, int]) -> list[tuple[str, int]]:
    """passed, failed, skipped first, then the rest by name: the same order on every backend."""
    known = [(name, summary[name]) for name in KNOWN_TESTS if name in summary]
    return known + sorted((name, count) for name, count in summary.items() if name not in KNOWN_TESTS)
