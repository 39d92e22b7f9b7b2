"""An entity's history as people read it: who changed which field from what to what, and when.

Change-log entries carry the values a write set, not the ones it replaced, so the values before
each change come from replaying the entries in seq order: a create sets every field it names,
an update replaces the fields it names (metadata is logged whole, as merged, and compared key by
key). Claims, renewals and releases change the item's claim, not its fields: their values are
shown as the claim's (`claim.holder`, ...), from the claim before.
"""

from __future__ import annotations

from typing import Any, TypedDict

from statusboard.domain.entities import EntityChange

CLAIM_OPS = frozenset({"claim", "renew", "release"})
_LINK_FIELDS = ("dependency_type", "work_item_id", "depends_on_id")


class FieldChange(TypedDict):
    field: str  # a field's name, "metadata.<key>" or "claim.<field>"
    before: Any
    after: Any


class HistoryEntry(EntityChange):
    changes: list[FieldChange]


def field_changes(entries: list[EntityChange]) -> list[HistoryEntry]:
    """Each entry with `changes`: [{field, before, after}] in a stable order."""
    fields: dict[str, Any] = {}
    claim: dict[str, Any] = {}
    rows: list[HistoryEntry] = []
    for entry in entries:
        values = entry["fields"] or {}
        if entry["entity"] == "dependency":
            changes = [_change(name, None, values.get(name)) for name in _LINK_FIELDS if name in values]
        elif entry["op"] in CLAIM_OPS:
            changes = _claim_changes(claim, values, released=entry["op"] == "release")
        else:
            changes = _field_changes(fields, values)
        rows.append({**entry, "changes": changes})
    return rows


def _field_changes(state: dict[str, Any], values: dict[str, Any]) -> list[FieldChange]:
    changes = []
    for name in sorted(values):
        after = values[name]
        if name == "metadata" and isinstance(after, dict):
            before = state.get(name) or {}
            for key in sorted(set(before) | set(after)):
                if before.get(key) != after.get(key):
                    changes.append(_change(f"metadata.{key}", before.get(key), after.get(key)))
        elif state.get(name) != after:
            changes.append(_change(name, state.get(name), after))
        state[name] = after
    return changes


def _claim_changes(claim: dict[str, Any], values: dict[str, Any], *, released: bool) -> list[FieldChange]:
    changes = []
    for name in sorted(values):
        if values[name] != claim.get(name):
            changes.append(_change(f"claim.{name}", claim.get(name), values[name]))
    claim.clear()
    if not released:
        claim.update(values)
    return changes


def _change(name: str, before: Any, after: Any) -> FieldChange:
    return {"field": name, "before": before, "after": after}
