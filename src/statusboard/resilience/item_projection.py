"""Outage writes to work items, their dependencies, and vendors: the rules are the primary's
(domain/), checked against the local view as far as it knows the entities."""

from __future__ import annotations

from typing import Any

from statusboard.domain.dependencies import (
    new_dependency,
    refuse_deleted_end,
    refuse_existing_dependency,
    refuse_self_dependency,
)
from statusboard.domain.errors import NotFoundError
from statusboard.domain.vendors import (
    NewVendor,
    is_operational,
    name_key,
    name_taken,
    new_vendor_row,
    refuse_empty_vendor_change,
    validate_vendor_metadata,
    vendor_changes,
)
from statusboard.domain.work_items import (
    NewWorkItem,
    WorkItemChanges,
    check_batch_ids,
    item_changes,
    new_work_item,
    patched_metadata,
    placement,
    validate_metadata,
)
from statusboard.resilience.journal_write import Lookup, Projection, Write, checked, stamped
from statusboard.resilience.kinds import DEPENDENCY, VENDOR, WORK_ITEM, Body, dependency_key

_NOT_CHANGES = ("id", "version", "claim_token")


def create_item(write: Write) -> Projection:
    draft = NewWorkItem.model_validate(write.arguments)
    item_id = write.assigned_id()
    metadata = validate_metadata(draft.item_type, draft.metadata)
    place = _placement(item_id, draft.parent_id, write.known)
    row = new_work_item(item_id, draft, metadata, place, write.actor, write.at)
    body = {**row, "created_at": write.stamp, "updated_at": write.stamp}
    return _one(WORK_ITEM, body, write, [] if place[0] is not None else ["parent_id"])


def update_item(write: Write) -> Projection:
    body = _updated_item(write.arguments, write)
    return _one(WORK_ITEM, body, write, [] if body.get("item_type") else ["id"])


def delete_item(write: Write) -> Projection:
    item_id, version = write.arguments["id"], write.arguments["version"]
    current = checked(write.known(WORK_ITEM, id=item_id), version, WORK_ITEM, {"id": item_id})
    body = {**stamped(current, version, write), "deleted_at": write.stamp}
    return _one(WORK_ITEM, body, write, [] if "item_type" in current else ["id"])


def update_items(write: Write) -> Projection:
    """All or nothing, as on the primary: every update is checked before any is acknowledged."""
    entries = write.arguments["items"]
    check_batch_ids([entry["id"] for entry in entries])
    bodies = [_updated_item(entry, write) for entry in entries]
    unverified = [f"items.{i}.id" for i, body in enumerate(bodies) if not body.get("item_type")]
    entities = [(WORK_ITEM, body) for body in bodies]
    return Projection(entities, {"items": bodies, "count": len(bodies)}, write.arguments, unverified)


def add_dependency(write: Write) -> Projection:
    a = write.arguments
    source, target = a["work_item_id"], a["depends_on_id"]
    refuse_self_dependency(source, target)
    unverified = ["depends_on_id"]  # a cycle can only be ruled out against the whole graph
    for field, item_id in (("work_item_id", source), ("depends_on_id", target)):
        item = write.known(WORK_ITEM, id=item_id)
        if item is None:
            unverified.append(field)
        else:
            refuse_deleted_end(field, item)
    refuse_existing_dependency(write.known(DEPENDENCY, name_key=dependency_key(source, target)))
    row = new_dependency(write.assigned_id(), source, target, a["dependency_type"], write.actor, write.at)
    body = {**row, "created_at": write.stamp}
    return Projection([(DEPENDENCY, body)], body, write.arguments, unverified)


def remove_dependency(write: Write) -> Projection:
    source, target = write.arguments["work_item_id"], write.arguments["depends_on_id"]
    pair = dependency_key(source, target)
    existing = write.known(DEPENDENCY, name_key=pair)
    if existing is not None and existing.get("removed"):
        raise NotFoundError(DEPENDENCY, id=pair)
    body = {**(existing or {"id": pair, "work_item_id": source, "depends_on_id": target}), "removed": True}
    return Projection([(DEPENDENCY, body)], body, write.arguments, [] if existing else ["depends_on_id"])


def create_vendor(write: Write) -> Projection:
    draft = NewVendor.model_validate(write.arguments)
    metadata = validate_vendor_metadata(draft.metadata)
    if write.known(VENDOR, name_key=name_key(draft.name)) is not None:
        raise name_taken(draft.name)
    row = new_vendor_row(write.assigned_id(), draft, metadata, write.actor, write.at)
    row.pop("name_key")
    operational = is_operational(draft.status)
    body = {**row, "operational": operational, "created_at": write.stamp, "updated_at": write.stamp}
    return _one(VENDOR, body, write, [])


def update_vendor(write: Write) -> Projection:
    a = write.arguments
    status, patch = a.get("status"), a.get("metadata")
    refuse_empty_vendor_change(status, patch)
    body = checked(write.known(VENDOR, name_key=name_key(a["name"])), a["version"], VENDOR, {"name": a["name"]})
    body.update(vendor_changes(body.get("metadata"), status, patch))
    if status is not None:
        body["operational"] = is_operational(status)
    return _one(VENDOR, stamped(body, a["version"], write), write, [] if "id" in body else ["name"])


def _updated_item(arguments: dict[str, Any], write: Write) -> Body:
    item_id, version = arguments["id"], arguments["version"]
    given = item_changes(WorkItemChanges.model_validate({k: v for k, v in arguments.items() if k not in _NOT_CHANGES}))
    body = checked(write.known(WORK_ITEM, id=item_id), version, WORK_ITEM, {"id": item_id})
    if "metadata" in given:
        given["metadata"] = patched_metadata(body.get("item_type"), body.get("metadata"), given["metadata"])
    body.update(given)
    if "parent_id" in given:
        body["path"], body["depth"] = _placement(item_id, given["parent_id"], write.known)
    return stamped(body, version, write)


def _placement(item_id: str, parent_id: str | None, known: Lookup) -> tuple[str, int] | tuple[None, None]:
    """Where the item goes; unknown when the local view does not know where its parent is (the
    primary places it on replay)."""
    parent = None if parent_id is None else known(WORK_ITEM, id=parent_id)
    if parent_id is not None and (parent is None or parent.get("path") is None or parent.get("depth") is None):
        return None, None
    return placement(item_id, parent)


def _one(kind: str, body: Body, write: Write, unverified: list[str]) -> Projection:
    return Projection([(kind, body)], body, write.arguments, unverified)
