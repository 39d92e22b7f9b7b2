"""Deployments: what was shipped, when, and what it touched. Immutable once recorded."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from statusboard.domain.clock import UtcTimestamp
from statusboard.domain.validation import EntityId, SingleLine
from statusboard.domain.work_items import CommitHash, PrNumber

TestName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")]
MAX_REFERENCES = 500


class DeploymentMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    commit_hash: CommitHash
    pr_number: PrNumber | None = None
    pr_title: Annotated[SingleLine, StringConstraints(max_length=200)] | None = None
    test_summary: Annotated[dict[TestName, Annotated[int, Field(ge=0)]], Field(max_length=20)] | None = None
    constitutional_compliance: bool | None = None


class NewDeployment(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    metadata: DeploymentMetadata
    vendor_ids: Annotated[list[EntityId], Field(max_length=MAX_REFERENCES)] = Field(default_factory=list)
    vendor_names: Annotated[list[str], Field(max_length=MAX_REFERENCES)] = Field(default_factory=list)
    work_item_ids: Annotated[list[EntityId], Field(max_length=MAX_REFERENCES)] = Field(default_factory=list)
    timestamp: (
        Annotated[UtcTimestamp, Field(description="when it shipped, with an offset or Z; default now")] | None
    ) = None


KNOWN_TESTS = ("passed", "failed", "skipped")


def ordered_test_summary(summary: dict[str, int]) -> list[tuple[str, int]]:
    """passed, failed, skipped first, then the rest by name: the same order on every backend."""
    known = [(name, summary[name]) for name in KNOWN_TESTS if name in summary]
    return known + sorted((name, count) for name, count in summary.items() if name not in KNOWN_TESTS)
