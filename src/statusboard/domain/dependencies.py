"""Dependencies between work items: which pairs may be linked, and a new link's row."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from statusboard.domain.errors import ValidationError


def dependency_key(work_item_id: str, depends_on_id: str) -> str:
    """What names a dependency by the items it links (in a NotFoundError, say)."""
    return f"{work_item_id}->{depends_on_id}"


def refuse_self_dependency(work_item_id: str, depends_on_id: str) -> None:
    if work_item_id == depends_on_id:
        raise ValidationError.single("depends_on_id", "an item cannot depend on itself")


def refuse_deleted_end(field: str, item: Mapping[str, Any]) -> None:
    """An end of a new dependency (named by its argument, `field`) must not be deleted."""
    if item.get("deleted_at"):
        raise ValidationError.single(field, "work item is deleted")


def refuse_existing_dependency(existing: Mapping[str, Any] | None) -> None:
    """The same pair is linked once (a removed link, as an outage's view holds it, is gone)."""
    if existing is not None and not existing.get("removed"):
        raise ValidationError.single("depends_on_id", "this dependency already exists")


def execution_order(work_item_id: str, depends_on_id: str, dependency_type: str) -> tuple[str, str]:
    """(the item that must finish first, the one after it): whatever the type, one waits for the other."""
    if dependency_type == "depends_on":
        return depends_on_id, work_item_id
    return work_item_id, depends_on_id


def new_dependency(
    dependency_id: str, work_item_id: str, depends_on_id: str, dependency_type: str, actor: str, at: datetime
) -> dict[str, Any]:
    return {
        "id": dependency_id,
        "work_item_id": work_item_id,
        "depends_on_id": depends_on_id,
        "dependency_type": dependency_type,
        "created_at": at,
        "created_by": actor,
    }
