"""Outage writes to work items, their dependencies, and vendors."""

from __future__ import annotations

from typing import Any

from statusboard.domain.errors import NotFoundError, ValidationError
from statusboard.domain.vendors import NewVendor, name_key, new_vendor_row, validate_vendor_metadata
from statusboard.domain.work_items import (
    NewWorkItem,
    WorkItemChanges,
    check_depth,
    child_path,
    merge_metadata,
    root_path,
    validate_metadata,
)
from statusboard.resilience.journal_write import Lookup, Projection, Write, checked, stamped
from statusboard.resilience.kinds import DEPENDENCY, VENDOR, WORK_ITEM, dependency_key

_NOT_CHANGES = ("id", "version", "claim_token")


def create_item(write: Write) -> Projection:
    draft = NewWorkItem.model_validate(write.arguments)
    item_id = write.assigned_id()
    metadata = validate_metadata(draft.item_type, draft.metadata)
    path, depth = _placement(item_id, draft.parent_id, write.known)
    body = {
        **draft.model_dump(mode="json"),
        "id": item_id,
        "version": 1,
        "metadata": metadata,
        "path": path,
        "depth": depth,
        "deleted_at": None,
        "archived": False,
        "created_at": write.stamp,
        "updated_at": write.stamp,
        "created_by": write.actor,
        "updated_by": write.actor,
    }
    return _one(WORK_ITEM, body, write, [] if path is not None else ["parent_id"])


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
    if not entries:
        raise ValidationError.single("items", "give at least one update")
    seen: dict[str, int] = {}
    bodies = []
    for index, entry in enumerate(entries):
        if entry["id"] in seen:
            raise ValidationError.single(f"items.{index}.id", f"repeats items.{seen[entry['id']]}.id")
        seen[entry["id"]] = index
        bodies.append(_updated_item(entry, write))
    unverified = [f"items.{i}.id" for i, body in enumerate(bodies) if not body.get("item_type")]
    entities = [(WORK_ITEM, body) for body in bodies]
    return Projection(entities, {"items": bodies, "count": len(bodies)}, write.arguments, unverified)


def add_dependency(write: Write) -> Projection:
    a = write.arguments
    source, target = a["work_item_id"], a["depends_on_id"]
    if source == target:
        raise ValidationError.single("depends_on_id", "an item cannot depend on itself")
    unverified = ["depends_on_id"]  # a cycle can only be ruled out against the whole graph
    for field, item_id in (("work_item_id", source), ("depends_on_id", target)):
        item = write.known(WORK_ITEM, id=item_id)
        if item is None:
            unverified.append(field)
        elif item.get("deleted_at"):
            raise ValidationError.single(field, "work item is deleted")
    existing = write.known(DEPENDENCY, name_key=dependency_key(source, target))
    if existing is not None and not existing.get("removed"):
        raise ValidationError.single("depends_on_id", "this dependency already exists")
    body = {
        "id": write.assigned_id(),
        "work_item_id": source,
        "depends_on_id": target,
        "dependency_type": a["dependency_type"],
        "created_at": write.stamp,
        "created_by": write.actor,
    }
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
        raise ValidationError.single("name", f"a vendor named {draft.name!r} already exists (names ignore case)")
    row = new_vendor_row(write.assigned_id(), draft, metadata, write.actor, write.at)
    row.pop("name_key")
    body = {**row, "operational": draft.status == "operational", "created_at": write.stamp, "updated_at": write.stamp}
    return _one(VENDOR, body, write, [])


def update_vendor(write: Write) -> Projection:
    a = write.arguments
    status, patch = a.get("status"), a.get("metadata")
    if status is None and patch is None:
        raise ValidationError.single("status", "give status or metadata to change")
    body = checked(write.known(VENDOR, name_key=name_key(a["name"])), a["version"], VENDOR, {"name": a["name"]})
    if status is not None:
        body["status"] = status
        body["operational"] = status == "operational"
    if patch is not None:
        body["metadata"] = validate_vendor_metadata(merge_metadata(body.get("metadata") or {}, patch))
        body["extractor_version"] = body["metadata"].get("extractor_version")
    return _one(VENDOR, stamped(body, a["version"], write), write, [] if "id" in body else ["name"])


def _updated_item(arguments: dict[str, Any], write: Write) -> dict[str, Any]:
    item_id, version = arguments["id"], arguments["version"]
    changes = WorkItemChanges.model_validate({k: v for k, v in arguments.items() if k not in _NOT_CHANGES})
    body = checked(write.known(WORK_ITEM, id=item_id), version, WORK_ITEM, {"id": item_id})
    for key, value in changes.model_dump(mode="json", include=changes.model_fields_set).items():
        if key == "metadata":
            merged = merge_metadata(body.get("metadata") or {}, value or {})
            body["metadata"] = validate_metadata(body["item_type"], merged) if "item_type" in body else merged
        else:
            body[key] = value
    if "parent_id" in changes.model_fields_set:
        body["path"], body["depth"] = _placement(item_id, changes.parent_id, write.known)
    return stamped(body, version, write)


def _placement(item_id: str, parent_id: str | None, known: Lookup) -> tuple[str | None, int | None]:
    if parent_id is None:
        return root_path(item_id), 0
    parent = known(WORK_ITEM, id=parent_id)
    if parent is None or parent.get("path") is None or parent.get("depth") is None:
        return None, None  # the primary will place it on replay
    depth = parent["depth"] + 1
    check_depth(depth)
    return child_path(parent["path"], item_id), depth


def _one(kind: str, body: dict[str, Any], write: Write, unverified: list[str]) -> Projection:
    return Projection([(kind, body)], body, write.arguments, unverified)
