"""Use cases for work items: create, update, delete, query, list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from statusboard.domain.clock import Clock
from statusboard.domain.errors import NotFoundError, ValidationError, VersionConflictError
from statusboard.domain.validation import new_id
from statusboard.domain.work_items import (
    NewWorkItem,
    WorkItemChanges,
    check_depth,
    child_path,
    ids_in_path,
    merge_metadata,
    root_path,
    validate_metadata,
)
from statusboard.services.changes import ChangeEntry, record
from statusboard.storage.database import HIERARCHY_LOCK, Database
from statusboard.storage.repositories import work_items as repo
from statusboard.storage.repositories.item_view import item_view
from statusboard.storage.repositories.work_items import ListFilter, WorkItemRow

ENTITY = "work_item"
MAX_DESCENDANTS = 5000
_CLEARABLE = {"parent_id", "branch_name", "commit_hash", "pr_number"}


class WorkItemService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # -- writes ---------------------------------------------------------------

    def create(self, actor: str, draft: NewWorkItem) -> WorkItemRow:
        metadata = validate_metadata(draft.item_type, draft.metadata)
        item_id = new_id()

        def work(conn: Connection) -> WorkItemRow:
            path, depth = root_path(item_id), 0
            if draft.parent_id is not None:
                self._db.lock(conn, HIERARCHY_LOCK, shared=True)
                parent = self._live_parent(conn, draft.parent_id)
                path, depth = child_path(parent["path"], item_id), parent["depth"] + 1
                check_depth(depth)
            now = self._clock.now()
            row = repo.insert(
                conn,
                {
                    **draft.model_dump(exclude={"metadata"}),
                    "id": item_id,
                    "version": 1,
                    "metadata": metadata,
                    "path": path,
                    "depth": depth,
                    "archived": False,
                    "created_at": now,
                    "updated_at": now,
                    "created_by": actor,
                    "updated_by": actor,
                },
            )
            fields = {**draft.model_dump(exclude_none=True), "metadata": metadata}
            record(self._db, conn, actor, now, [ChangeEntry(ENTITY, item_id, 1, "create", fields)])
            return row

        return self._db.write(work)

    def update(self, actor: str, item_id: str, version: int, changes: WorkItemChanges) -> WorkItemRow:
        given = changes.model_dump(include=changes.model_fields_set)
        for name, value in given.items():
            if value is None and name not in _CLEARABLE:
                raise ValidationError.single(name, "must not be null")

        def work(conn: Connection) -> WorkItemRow:
            if "parent_id" in given:
                self._db.lock(conn, HIERARCHY_LOCK)
            current = self._writable(conn, item_id, version)
            values = dict(given)
            if "metadata" in values:
                merged = merge_metadata(current["metadata"], values["metadata"])
                values["metadata"] = validate_metadata(current["item_type"], merged)
            moving = "parent_id" in values and values["parent_id"] != current["parent_id"]
            if moving:
                values.update(self._new_place(conn, current, values["parent_id"]))
            now = self._clock.now()
            updated = repo.conditional_update(
                conn, item_id, version, {**values, "updated_at": now, "updated_by": actor}
            )
            if updated is None:
                raise self._why_not_written(conn, item_id, version)
            if moving:
                repo.move_subtree(conn, current["path"], updated["path"], updated["depth"] - current["depth"])
            fields = {key: value for key, value in values.items() if key not in ("path", "depth")}
            record(
                self._db,
                conn,
                actor,
                now,
                [ChangeEntry(ENTITY, item_id, updated["version"], "update", fields)],
            )
            return updated

        return self._db.write(work)

    def delete(self, actor: str, item_id: str, version: int) -> WorkItemRow:
        def work(conn: Connection) -> WorkItemRow:
            now = self._clock.now()
            deleted = repo.conditional_update(
                conn, item_id, version, {"deleted_at": now, "updated_at": now, "updated_by": actor}
            )
            if deleted is None:
                raise self._why_not_written(conn, item_id, version)
            children = repo.live_children_count(conn, item_id)
            if children:
                raise ValidationError.single("id", f"has {children} live child item(s); delete or move them first")
            entry = ChangeEntry(ENTITY, item_id, deleted["version"], "delete", {"deleted_at": deleted["deleted_at"]})
            record(self._db, conn, actor, now, [entry])
            return deleted

        return self._db.write(work)

    # -- reads ----------------------------------------------------------------

    def query(self, item_id: str, *, include_children: bool = False, include_archived: bool = False) -> dict[str, Any]:
        with self._db.reading() as conn:
            chain, links = item_view(conn, item_id)
            item = chain[-1] if chain else None
            if item is None or item["id"] != item_id or (item["archived"] and not include_archived):
                raise NotFoundError(ENTITY, id=item_id)
            children = (
                repo.descendants(conn, item_id, include_archived=include_archived, limit=MAX_DESCENDANTS + 1)
                if include_children
                else []
            )
        return {
            **item,
            "parent_chain": chain[:-1],
            "children": _nest(item_id, children[:MAX_DESCENDANTS]),
            "children_truncated": len(children) > MAX_DESCENDANTS,
            "dependencies": [_dependency_view(item_id, link, other) for link, other in links],
        }

    def list(self, flt: ListFilter, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        with self._db.reading() as conn:
            items, total = repo.list_page(conn, flt, limit, offset)
        return {"items": items, "total_count": total, "limit": limit, "offset": offset}

    # -- helpers --------------------------------------------------------------

    def _live_parent(self, conn: Connection, parent_id: str) -> WorkItemRow:
        parent = repo.get_for_share(conn, parent_id)
        if parent is None:
            raise NotFoundError(ENTITY, id=parent_id)
        if parent["deleted_at"] is not None or parent["archived"]:
            raise ValidationError.single("parent_id", "parent is deleted or archived")
        return parent

    def _writable(self, conn: Connection, item_id: str, version: int) -> WorkItemRow:
        current = repo.get(conn, item_id)
        refusal = _refusal(item_id, version, current)
        if refusal is not None:
            raise refusal
        assert current is not None
        return current

    def _why_not_written(self, conn: Connection, item_id: str, version: int) -> Exception:
        """After a conditional update matched nothing: says which rule refused it."""
        refusal = _refusal(item_id, version, repo.get(conn, item_id))
        return refusal or AssertionError("conditional update matched no row, yet the row is writable")

    def _new_place(self, conn: Connection, item: WorkItemRow, parent_id: str | None) -> dict[str, Any]:
        if parent_id is None:
            return {"path": root_path(item["id"]), "depth": 0}
        parent = self._live_parent(conn, parent_id)
        if item["id"] in ids_in_path(parent["path"]):
            raise ValidationError.single("parent_id", "would make the item its own ancestor (a cycle)")
        depth = parent["depth"] + 1
        height = repo.subtree_max_depth(conn, item["path"]) - item["depth"]
        check_depth(depth + height)
        return {"path": child_path(parent["path"], item["id"]), "depth": depth}


def _refusal(item_id: str, version: int, current: WorkItemRow | None) -> Exception | None:
    if current is None:
        return NotFoundError(ENTITY, id=item_id)
    if current["deleted_at"] is not None:
        return ValidationError.single("id", "work item is deleted")
    if current["version"] != version:
        return VersionConflictError(version, current["version"], current)
    return None


def _nest(root_id: str, descendants: list[WorkItemRow]) -> list[dict[str, Any]]:
    by_parent: dict[str, list[dict[str, Any]]] = {}
    for row in descendants:
        by_parent.setdefault(row["parent_id"], []).append({**row, "children": []})
    for nodes in by_parent.values():
        for node in nodes:
            node["children"] = by_parent.get(node["id"], [])
    return by_parent.get(root_id, [])


def _dependency_view(item_id: str, link: dict[str, Any], other: WorkItemRow) -> dict[str, Any]:
    outgoing = link["work_item_id"] == item_id
    return {
        "id": link["id"],
        "type": link["dependency_type"],
        "direction": "outgoing" if outgoing else "incoming",
        "related_item": other,
        "created_at": link["created_at"],
        "created_by": link["created_by"],
    }
