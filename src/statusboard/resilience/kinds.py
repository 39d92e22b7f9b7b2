"""The kinds of entity the local cache holds, and what each is found by besides its id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from statusboard.domain.vendors import name_key

WORK_ITEM = "work_item"
VENDOR = "vendor"
DEPLOYMENT = "deployment"
ENHANCEMENT = "enhancement"
SESSION_PROMPT = "session_prompt"
CONFIGURATION = "project_configuration"
DEPENDENCY = "dependency"

SHOWN_IN_FILE = (WORK_ITEM, VENDOR, DEPLOYMENT, ENHANCEMENT, SESSION_PROMPT)  # what the status file shows

Body = dict[str, Any]
"""An entity as the local view holds it: a JSON object of its fields. All of them when the
primary returned it; during an outage, only those a write gave or the view knew (a fallback
answer leaves out, or sets to null, what its layer does not know: docs/degraded-mode.md), so a field that
may be missing is read with `.get`. Where a body becomes what the status file shows, it takes
the typed shapes of domain/ (`views.*_outline`)."""


@dataclass(frozen=True)
class Holds:
    """The kind of entity a tool's result holds in full, so the cache can keep it: the result
    itself (`key` None), or the list under `key`."""

    kind: str
    key: str | None = None


def dependency_key(work_item_id: str, depends_on_id: str) -> str:
    return f"{work_item_id}->{depends_on_id}"


def lookup_key(kind: str, body: Body) -> str | None:
    """A vendor is found by its case-folded name, a dependency by the pair of items it links."""
    if kind == VENDOR:
        return name_key(body["name"])
    if kind == DEPENDENCY:
        return dependency_key(body["work_item_id"], body["depends_on_id"])
    return None
