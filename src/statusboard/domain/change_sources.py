"""Which writes can change what the status shows: the one table that the kept status
(services/status_parts) and the fallback cache's copy of the file's data
(resilience/snapshot_fields) both read to tell what the change log's new entries make stale.

Every write logs the entities it touched, so what was read at seq S is still right at seq T
when no entry in (S, T] names one of its sources.
"""

from __future__ import annotations

from collections.abc import Iterable

VENDORS = "vendors"
WORK_ITEMS = "work_items"
ARCHIVED_COUNT = "archived_count"
DEPLOYMENTS = "deployments"
ENHANCEMENTS = "enhancements"
SESSION_PROMPTS = "session_prompts"

# What the status shows (StatusData's fields, and the count of archived items), and the
# change-log entities whose writes can change it. What makes the sources complete:
# - deployments have no vendors among their sources: a deployment shows its vendors by name,
#   and vendor names never change (an update changes status and metadata only). The cache's
#   copy keeps each deployment's vendors as id and name, and its answers take the rest of a
#   vendor from the vendors the same copy holds (resilience/views.overlay), so a vendor write
#   leaves deployments as they were;
# - nor work items: a deployment's links are written only with it, and a work item is never
#   removed (archiving keeps it in the archive);
# - archiving logs each item it moves as work_item / archive; a migration logs every entity
#   it adds.
SOURCES: dict[str, frozenset[str]] = {
    VENDORS: frozenset({"vendor"}),
    WORK_ITEMS: frozenset({"work_item"}),
    ARCHIVED_COUNT: frozenset({"work_item"}),
    DEPLOYMENTS: frozenset({"deployment"}),
    ENHANCEMENTS: frozenset({"enhancement"}),
    SESSION_PROMPTS: frozenset({"session_prompt"}),
}
# The project configuration and dependencies between work items are not shown; claims
# (work_item entries with op claim, renew or release) change nothing shown.
SHOWN_NOWHERE = frozenset({"project_configuration", "dependency"})
INERT = frozenset({("work_item", "claim"), ("work_item", "renew"), ("work_item", "release")})
KNOWN = SHOWN_NOWHERE.union(*SOURCES.values())


def stale(touched: Iterable[tuple[str, str]]) -> frozenset[str] | None:
    """What writes of these (entity, op) pairs may have changed, as SOURCES' keys; None when an
    entity is not known here (then everything may have)."""
    changed = {entity for entity, op in touched if (entity, op) not in INERT}
    if not changed <= KNOWN:
        return None
    return frozenset(shown for shown, sources in SOURCES.items() if not sources.isdisjoint(changed))
