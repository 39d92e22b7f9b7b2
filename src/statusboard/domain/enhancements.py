"""Planned enhancements: priority, status, target quarter and the order they depend on."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from statusboard.domain.validation import EntityId, SingleLine

EnhancementStatus = Literal["planned", "approved", "in_progress", "completed"]
PENDING = ("planned", "approved", "in_progress")
_QUARTER = re.compile(r"^\s*(?:Q([1-4])\s+(\d{4})|(\d{4})\s*-\s*Q([1-4]))\s*$", re.IGNORECASE)


def canonical_quarter(value: Any) -> Any:
    """ "Q1 2026" and "2026-Q1" (any case) both become "2026-Q1"."""
    if not isinstance(value, str):
        return value
    match = _QUARTER.match(value)
    if match is None:
        raise ValueError('must be a quarter like "Q1 2026" or "2026-Q1"')
    quarter, year = (match[1], match[2]) if match[1] else (match[4], match[3])
    return f"{year}-Q{quarter}"


def display_quarter(quarter: str) -> str:
    year, q = quarter.split("-")
    return f"{q} {year}"


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


Priority = Annotated[Literal["high", "medium", "low"], BeforeValidator(_lower)]
Quarter = Annotated[str, BeforeValidator(canonical_quarter)]
Title = Annotated[SingleLine, StringConstraints(max_length=200)]
Description = Annotated[str, StringConstraints(max_length=2000)]
Principles = Annotated[list[Annotated[SingleLine, StringConstraints(max_length=200)]], Field(max_length=50)]
DependsOn = Annotated[list[EntityId], Field(max_length=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NewEnhancement(_Strict):
    title: Title
    description: Description | None = None
    priority: Priority
    status: EnhancementStatus = "planned"
    target_quarter: Quarter
    requires_principles: Principles = Field(default_factory=list)
    depends_on: DependsOn = Field(default_factory=list)


class EnhancementChanges(_Strict):
    title: Title | None = None
    description: Description | None = None
    priority: Priority | None = None
    status: EnhancementStatus | None = None
    target_quarter: Quarter | None = None
    requires_principles: Principles | None = None
    depends_on: DependsOn | None = None


def has_cycle(edges: dict[str, set[str]], start: str) -> bool:
    """Whether following depends_on edges from `start` comes back to it."""
    seen: set[str] = set()
    stack = list(edges.get(start, ()))
    while stack:
        node = stack.pop()
        if node == start:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return False
