"""What a write acknowledged during an outage would make of its entity: the body the
acknowledgement returns and the cache and status file show until the journal is replayed.

The arguments are checked as the primary would check them (types, metadata, depth).
Versions are checked against the local view where it knows the entity: versions only
grow, so a version older than the one held locally is a conflict for certain. Anything
the local view cannot decide is left to the replay, which checks against the primary.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from statusboard.domain.errors import NotFoundError, ValidationError, VersionConflictError
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

WORK_ITEM = "work_item"
VENDOR = "vendor"
JOURNALED_TOOLS = ("create_work_item", "update_work_item", "delete_work_item", "create_vendor", "update_vendor_status")
CREATES = ("create_work_item", "create_vendor")

Lookup = Callable[..., dict[str, Any] | None]  # (kind, id=… | name_key=…) -> the locally known body


def project(
    tool: str, arguments: dict[str, Any], actor: str, at: datetime, new_id: str | None, known: Lookup
) -> tuple[str, dict[str, Any]]:
    """(entity kind, body after the write) for one journaled write."""
    stamp = at.isoformat()
    if tool == "create_work_item":
        assert new_id is not None
        return WORK_ITEM, _create_item(NewWorkItem.model_validate(arguments), actor, stamp, new_id, known)
    if tool == "update_work_item":
        return WORK_ITEM, _update_item(arguments, actor, stamp, known)
    if tool == "delete_work_item":
        current = _checked(known(WORK_ITEM, id=arguments["id"]), arguments["version"], {"id": arguments["id"]})
        return WORK_ITEM, {**current, **_stamp(arguments["version"], actor, stamp), "deleted_at": stamp}
    if tool == "create_vendor":
        assert new_id is not None
        return VENDOR, _create_vendor(NewVendor.model_validate(arguments), actor, at, new_id, known)
    if tool == "update_vendor_status":
        return VENDOR, _update_vendor(arguments, actor, stamp, known)
    raise ValueError(f"{tool} is not a journaled write")


def _create_item(draft: NewWorkItem, actor: str, stamp: str, item_id: str, known: Lookup) -> dict[str, Any]:
    metadata = validate_metadata(draft.item_type, draft.metadata)
    path, depth = _placement(item_id, draft.parent_id, known)
    return {
        **draft.model_dump(mode="json"),
        "id": item_id,
        "version": 1,
        "metadata": metadata,
        "path": path,
        "depth": depth,
        "deleted_at": None,
        "archived": False,
        "created_at": stamp,
        "updated_at": stamp,
        "created_by": actor,
        "updated_by": actor,
    }


def _update_item(arguments: dict[str, Any], actor: str, stamp: str, known: Lookup) -> dict[str, Any]:
    item_id, version = arguments["id"], arguments["version"]
    given = {key: value for key, value in arguments.items() if key not in ("id", "version", "claim_token")}
    changes = WorkItemChanges.model_validate(given)
    body = _checked(known(WORK_ITEM, id=item_id), version, {"id": item_id})
    for key, value in changes.model_dump(mode="json", include=changes.model_fields_set).items():
        if key == "metadata":
            merged = merge_metadata(body.get("metadata") or {}, value or {})
            body["metadata"] = validate_metadata(body["item_type"], merged) if "item_type" in body else merged
        else:
            body[key] = value
    if "parent_id" in changes.model_fields_set:
        body["path"], body["depth"] = _placement(item_id, changes.parent_id, known)
    return {**body, **_stamp(version, actor, stamp)}


def _create_vendor(draft: NewVendor, actor: str, at: datetime, vendor_id: str, known: Lookup) -> dict[str, Any]:
    metadata = validate_vendor_metadata(draft.metadata)
    if known(VENDOR, name_key=name_key(draft.name)) is not None:
        raise ValidationError.single("name", f"a vendor named {draft.name!r} already exists (names ignore case)")
    row = new_vendor_row(vendor_id, draft, metadata, actor, at)
    row.pop("name_key")
    return {
        **row,
        "operational": draft.status == "operational",
        "created_at": at.isoformat(),
        "updated_at": at.isoformat(),
    }


def _update_vendor(arguments: dict[str, Any], actor: str, stamp: str, known: Lookup) -> dict[str, Any]:
    status, patch = arguments.get("status"), arguments.get("metadata")
    if status is None and patch is None:
        raise ValidationError.single("status", "give status or metadata to change")
    body = _checked(
        known(VENDOR, name_key=name_key(arguments["name"])), arguments["version"], {"name": arguments["name"]}
    )
    if status is not None:
        body["status"] = status
        body["operational"] = status == "operational"
    if patch is not None:
        body["metadata"] = validate_vendor_metadata(merge_metadata(body.get("metadata") or {}, patch))
        body["extractor_version"] = body["metadata"].get("extractor_version")
    return {**body, **_stamp(arguments["version"], actor, stamp)}


def _checked(current: dict[str, Any] | None, version: int, unknown: dict[str, Any]) -> dict[str, Any]:
    """The locally known body, refused when it proves `version` stale; `unknown` if not known."""
    if current is None:
        return dict(unknown)
    if current.get("deleted_at"):
        raise NotFoundError(WORK_ITEM, id=current["id"])
    held = current.get("version")
    if held is not None and held > version:
        raise VersionConflictError(version, held, current)
    return dict(current)


def _placement(item_id: str, parent_id: str | None, known: Lookup) -> tuple[str | None, int | None]:
    if parent_id is None:
        return root_path(item_id), 0
    parent = known(WORK_ITEM, id=parent_id)
    if parent is None or parent.get("path") is None or parent.get("depth") is None:
        return None, None  # the primary will place it on replay
    depth = parent["depth"] + 1
    check_depth(depth)
    return child_path(parent["path"], item_id), depth


def _stamp(version: int, actor: str, stamp: str) -> dict[str, Any]:
    return {"version": version + 1, "updated_at": stamp, "updated_by": actor}
