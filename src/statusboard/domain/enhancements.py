"""Planned enhancements: priority, status, target quarter and the order they depend on."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema

from statusboard.domain.errors import ValidationError
from statusboard.domain.limits import FREE_TEXT_MAX, LIST_MAX, TITLE_MAX, StorableText
from statusboard.domain.updates import given_fields, patch_config, refuse_no_changes, refuse_nulls
from statusboard.domain.validation import EntityId, SingleLine

EnhancementStatus = Literal["planned", "approved", "in_progress", "completed"]
PENDING = ("planned", "approved", "in_progress")
CLEARABLE = frozenset({"description"})  # what an update may set to null
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
Quarter = Annotated[
    str,
    BeforeValidator(canonical_quarter),
    WithJsonSchema({"type": "string", "pattern": r"^(Q[1-4] \d{4}|\d{4}-Q[1-4])$"}),
]
Title = Annotated[SingleLine, StringConstraints(max_length=TITLE_MAX)]
Description = Annotated[str, StringConstraints(max_length=FREE_TEXT_MAX)]
Principles = Annotated[list[Annotated[SingleLine, StringConstraints(max_length=TITLE_MAX)]], Field(max_length=50)]
DependsOn = Annotated[list[EntityId], Field(max_length=LIST_MAX)]


class _Strict(StorableText):
    model_config = ConfigDict(extra="forbid", strict=True)


class NewEnhancement(_Strict):
    title: Title = Field(description="summary")
    description: Description | None = Field(None, description="what and why")
    priority: Priority = Field(description="how much it matters")
    status: EnhancementStatus = Field("planned", description="initial status")
    target_quarter: Quarter = Field(description="when it is due")
    requires_principles: Principles = Field(default_factory=list, description="principles it needs")
    depends_on: DependsOn = Field(default_factory=list, description="enhancements first")


class EnhancementChanges(_Strict):
    model_config = patch_config(CLEARABLE)
    title: Title | None = Field(None, description="new title")
    description: Description | None = Field(None, description="null clears")
    priority: Priority | None = Field(None, description="new priority")
    status: EnhancementStatus | None = Field(None, description="new status")
    target_quarter: Quarter | None = Field(None, description="new quarter")
    requires_principles: Principles | None = Field(None, description="replaces the list")
    depends_on: DependsOn | None = Field(None, description="replaces the list")


def without_repeats(depends_on: Iterable[str]) -> list[str]:
    """An enhancement's links, each once, in the order first given."""
    return list(dict.fromkeys(depends_on))


def enhancement_changes(changes: EnhancementChanges) -> dict[str, Any]:
    """The fields an update gives: at least one, none null but CLEARABLE ones; depends_on without repeats."""
    given = given_fields(changes)
    refuse_nulls(given, CLEARABLE)
    refuse_no_changes(given, "id", "field")
    if "depends_on" in given:
        given["depends_on"] = without_repeats(given["depends_on"])
    return given


def enhancement_filters(priority: str | None, status: str | None, target_quarter: str | None) -> dict[str, str | None]:
    """list_enhancements' filters as the entries hold them: a quarter in either form becomes "2026-Q1"."""
    quarter = None if target_quarter is None else canonical_quarter(target_quarter)
    return {"priority": priority, "status": status, "target_quarter": quarter}


Links = Callable[[str], Collection[str] | None]
"""An enhancement's depends_on, or None where the graph at hand does not hold it (an outage's local view)."""


def has_cycle(edges: Mapping[str, Collection[str]], start: str) -> bool:
    """Whether following depends_on edges from `start` comes back to it; `edges` is the whole
    graph (an enhancement missing from it depends on nothing)."""
    return _cycle(lambda node: edges.get(node, ()), start, edges.get(start, ())) is True


def check_enhancement_links(enhancement_id: str, depends_on: Collection[str], links: Links) -> bool:
    """Refuses links that make `enhancement_id` depend on itself, directly or through the other
    enhancements' links. True when every path could be followed; False when one reaches an
    enhancement `links` does not know, so that only the whole graph can rule a cycle out."""
    if enhancement_id in depends_on:
        raise ValidationError.single("depends_on", "an enhancement cannot depend on itself")
    found = _cycle(links, enhancement_id, depends_on)
    if found:
        raise ValidationError.single("depends_on", "would make a dependency cycle")
    return found is False


def _cycle(links: Links, start: str, first: Collection[str]) -> bool | None:
    """True when a path from `start`'s links (`first`) comes back to it; False when none does;
    None when none found does but one reaches an enhancement whose links are not known."""
    seen: set[str] = set()
    stack = list(first)
    complete = True
    while stack:
        node = stack.pop()
        if node == start:
            return True
        if node in seen:
            continue
        seen.add(node)
        onward = links(node)
        if onward is None:
            complete = False
        else:
            stack.extend(onward)
    return False if complete else None
