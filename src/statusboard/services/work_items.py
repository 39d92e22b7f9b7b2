"""Use cases for work items: create, update, delete, query, list.

Every answer carries the item's live claim as `claim` ({holder, expires_at}, never the
token), or null.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection

from statusboard.domain.answers import within_bytes
from statusboard.domain.claims import shown, write_refusal
from statusboard.domain.clock import Clock
from statusboard.domain.entities import (
    Claim,
    ClaimShown,
    Dependency,
    DependencyView,
    Detail,
    WorkItem,
    WorkItemAnswer,
    WorkItemNode,
    WorkItemPage,
    WorkItemView,
)
from statusboard.domain.errors import NotFoundError, StatusboardError, ValidationError, VersionConflictError
from statusboard.domain.updates import given_fields
from statusboard.domain.validation import new_id
from statusboard.domain.work_items import (
    NewWorkItem,
    WorkItemChanges,
    check_batch_ids,
    ids_in_path,
    item_changes,
    new_work_item,
    patched_metadata,
    placement,
    validate_metadata,
)
from statusboard.services.changes import ChangeEntry, record
from statusboard.storage.database import HIERARCHY_LOCK, Database
from statusboard.storage.repositories import archive as archive_repo
from statusboard.storage.repositories import claims as claims_repo
from statusboard.storage.repositories import work_items as repo
from statusboard.storage.repositories.item_view import Link, item_view, item_view_on
from statusboard.storage.repositories.work_items import ListFilter
from statusboard.storage.tables import work_items as work_items_table

T = TypeVar("T")

ENTITY = "work_item"
MAX_DESCENDANTS = 5000


class WorkItemService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # -- writes ---------------------------------------------------------------

    def create(self, actor: str, draft: NewWorkItem) -> WorkItemAnswer:
        metadata = validate_metadata(draft.item_type, draft.metadata)
        item_id = new_id()

        def work(conn: Connection) -> WorkItemAnswer:
            parent = None
            if draft.parent_id is not None:
                self._db.lock(conn, HIERARCHY_LOCK, shared=True)
                parent = self._parent(conn, draft.parent_id)
            place = placement(item_id, parent)
            now = self._clock.now()
            row = repo.insert(conn, new_work_item(item_id, draft, metadata, place, actor, now))
            fields = {**draft.model_dump(exclude_none=True), "metadata": metadata}
            record(self._db, conn, actor, now, [ChangeEntry(ENTITY, item_id, 1, "create", fields)])
            return {**row, "claim": None}

        return self._db.write(work)

    def update(
        self, actor: str, item_id: str, version: int, changes: WorkItemChanges, claim_token: str | None = None
    ) -> WorkItemAnswer:
        (updated,) = self._update_all(actor, [ItemUpdate(item_id, version, changes, claim_token)])
        return updated

    def update_many(self, actor: str, updates: list[ItemUpdate]) -> list[WorkItemAnswer]:
        """Applies every update or none. Rows are locked in id order, so two batches never deadlock."""
        check_batch_ids([entry.id for entry in updates])
        return self._update_all(actor, updates)

    def _update_all(self, actor: str, updates: list[ItemUpdate]) -> list[WorkItemAnswer]:
        batch = len(updates) > 1
        for index, entry in enumerate(updates):
            _guard(batch, index, item_changes, entry.changes)

        def work(conn: Connection) -> list[WorkItemAnswer]:
            if any("parent_id" in entry.given for entry in updates):
                self._db.lock(conn, HIERARCHY_LOCK)
            now = self._clock.now()
            results: dict[str, WorkItemAnswer] = {}
            entries: list[ChangeEntry] = []
            for index, entry in sorted(enumerate(updates), key=lambda pair: pair[1].id):
                row, logged = _guard(batch, index, self._apply, conn, actor, now, entry)
                results[entry.id] = row
                entries += logged
            record(self._db, conn, actor, now, entries)
            return [results[entry.id] for entry in updates]

        return self._db.write(work)

    def _apply(
        self, conn: Connection, actor: str, now: datetime, entry: ItemUpdate
    ) -> tuple[WorkItemAnswer, list[ChangeEntry]]:
        current, claim = self._writable(conn, actor, entry.id, entry.version, entry.claim_token, now)
        values = entry.given
        if "metadata" in values:
            values["metadata"] = patched_metadata(current["item_type"], current["metadata"], values["metadata"])
        moving = "parent_id" in values and values["parent_id"] != current["parent_id"]
        if moving:
            values.update(self._new_place(conn, current, values["parent_id"]))
        updated = repo.conditional_update(
            conn,
            entry.id,
            entry.version,
            {**values, "updated_at": now, "updated_by": actor},
            _claim_allows(entry.claim_token, now),
        )
        if updated is None:
            raise self._why_not_written(conn, actor, entry.id, entry.version, entry.claim_token, now)
        if moving:
            repo.move_subtree(conn, current["path"], updated["path"], updated["depth"] - current["depth"])
        fields = {key: value for key, value in values.items() if key not in ("path", "depth")}
        logged = [ChangeEntry(ENTITY, entry.id, updated["version"], "update", fields)]
        # The write passed the claim rule: with a token, the claim is live and this writer's;
        # without one, no claim is live.
        held = shown(claim, now) if entry.claim_token is not None else None
        if values.get("status") == "completed" and entry.claim_token is not None:
            ended = claims_repo.end_live(conn, entry.id, entry.claim_token, now, "completed")
            if ended is not None:
                logged.append(ChangeEntry(ENTITY, entry.id, updated["version"], "release", _claim_fields(ended)))
                held = None
        return {**updated, "claim": held}, logged

    def delete(self, actor: str, item_id: str, version: int) -> WorkItemAnswer:
        def work(conn: Connection) -> WorkItemAnswer:
            now = self._clock.now()
            _, claim = self._writable(conn, actor, item_id, version, None, now)
            deleted = repo.conditional_update(
                conn,
                item_id,
                version,
                {"deleted_at": now, "updated_at": now, "updated_by": actor},
                _claim_allows(None, now),
            )
            if deleted is None:
                raise self._why_not_written(conn, actor, item_id, version, None, now)
            children = repo.live_children_count(conn, item_id)
            if children:
                raise ValidationError.single("id", f"has {children} live child item(s); delete or move them first")
            if claim is not None:  # expired, or the write above would have been refused
                claims_repo.end(conn, claim["id"], now, "deleted")
            entry = ChangeEntry(ENTITY, item_id, deleted["version"], "delete", {"deleted_at": deleted["deleted_at"]})
            record(self._db, conn, actor, now, [entry])
            return {**deleted, "claim": None}  # a live claim would have refused the delete

        return self._db.write(work)

    # -- reads ----------------------------------------------------------------

    def query(self, item_id: str, *, include_children: bool = False, include_archived: bool = False) -> WorkItemView:
        if not include_children and self._db.reads_direct:  # the hottest read: one statement
            chain, links, claim = self._db.read_direct(lambda direct: item_view_on(direct, item_id))
            if chain and chain[-1]["id"] == item_id:
                return _view(item_id, chain, links, [], shown(claim, self._clock.now()))
            if not include_archived:  # no such live item: asking again below would only say so again
                raise NotFoundError(ENTITY, id=item_id)
        with self._db.reading() as conn:
            chain, links, claim = item_view(conn, item_id)
            item = chain[-1] if chain and chain[-1]["id"] == item_id else None
            if item is None and include_archived:
                return self._archived_view(conn, item_id, include_children)
            if item is None:
                raise NotFoundError(ENTITY, id=item_id)
            children = (
                repo.descendants(conn, item_id, include_archived=include_archived, limit=MAX_DESCENDANTS + 1)
                if include_children
                else []
            )
            if include_children and include_archived:
                children += archive_repo.subtree(conn, item["path"])
        return _view(item_id, chain, links, children, shown(claim, self._clock.now()))

    def _archived_view(self, conn: Connection, item_id: str, include_children: bool) -> WorkItemView:
        found = archive_repo.get_with_record(conn, item_id)
        if found is None:
            raise NotFoundError(ENTITY, id=item_id)
        archived, record = found

        def anywhere(other_id: str) -> WorkItem | None:
            live = repo.get(conn, other_id)
            return live if live is not None else archive_repo.get(conn, other_id)

        chain = [anywhere(ancestor) for ancestor in ids_in_path(archived["path"])[:-1]]
        children = archive_repo.subtree(conn, archived["path"]) if include_children else []
        dependencies: list[DependencyView] = []
        for link in record["dependencies"]:
            other_id = link["depends_on_id"] if link["work_item_id"] == item_id else link["work_item_id"]
            other = anywhere(other_id)
            if other is not None:
                dependencies.append(_dependency_view(item_id, link, other))
        return {
            **archived,
            "claim": None,  # an archived item keeps no claim
            "parent_chain": [ancestor for ancestor in chain if ancestor is not None],
            "children": _nest(item_id, children[:MAX_DESCENDANTS]),
            "children_truncated": len(children) > MAX_DESCENDANTS,
            "dependencies": dependencies,
        }

    def list(self, flt: ListFilter, limit: int = 50, offset: int = 0, detail: Detail = "summary") -> WorkItemPage:
        """A page of items, oldest first: summary rows (SUMMARY_FIELDS), or whole items with
        `detail` full; as many as `limit` asks and the answer's byte bound allows."""
        with self._db.reading() as conn:
            listed, total = repo.list_page(conn, flt, limit, offset, whole=detail == "full")
        now = self._clock.now()
        # Whole rows or summary rows, as `detail` asked list_page for them.
        rows: list[Any] = within_bytes([{**row, "claim": shown(lease, now)} for row, lease in listed])
        page: WorkItemPage = {
            "items": rows,
            "total_count": total,
            "limit": limit,
            "offset": offset,
            "has_more": offset + len(rows) < total,
        }
        return page

    # -- helpers --------------------------------------------------------------

    def _parent(self, conn: Connection, parent_id: str) -> WorkItem:
        parent = repo.get_for_share(conn, parent_id)
        if parent is None:
            raise NotFoundError(ENTITY, id=parent_id)
        return parent

    def _writable(
        self, conn: Connection, writer: str, item_id: str, version: int, claim_token: str | None, now: datetime
    ) -> tuple[WorkItem, Claim | None]:
        """The item if this writer may change it, with its open claim (live or expired)."""
        # On PostgreSQL the row stays locked: a claim in flight finishes first, and the
        # conditional update's own snapshot, taken after this, sees it.
        current, claim, _ = claims_repo.item_with_claim(conn, item_id, lock=self._db.backend == "postgresql")
        refusal = _refusal(writer, item_id, version, current, claim, claim_token, now)
        if refusal is not None:
            raise refusal
        assert current is not None
        return current, claim

    def _why_not_written(
        self, conn: Connection, writer: str, item_id: str, version: int, claim_token: str | None, now: datetime
    ) -> Exception:
        """After a conditional update matched nothing: says which rule refused it."""
        current, claim, _ = claims_repo.item_with_claim(conn, item_id, lock=False)
        refusal = _refusal(writer, item_id, version, current, claim, claim_token, now)
        return refusal or AssertionError("conditional update matched no row, yet the row is writable")

    def _new_place(self, conn: Connection, item: WorkItem, parent_id: str | None) -> dict[str, Any]:
        parent = None if parent_id is None else self._parent(conn, parent_id)
        height = 0 if parent is None else repo.subtree_max_depth(conn, item["path"]) - item["depth"]
        path, depth = placement(item["id"], parent, height)
        return {"path": path, "depth": depth}


@dataclass(frozen=True)
class ItemUpdate:
    id: str
    version: int
    changes: WorkItemChanges
    claim_token: str | None = None

    @property
    def given(self) -> dict[str, Any]:
        return given_fields(self.changes)


def _guard(batch: bool, index: int, fn: Callable[..., T], *args: Any) -> T:
    """Runs one entry's step; in a batch, a refusal names the entry it came from."""
    try:
        return fn(*args)
    except StatusboardError as exc:
        if batch:
            raise _at_index(exc, index) from None
        raise


def _at_index(exc: StatusboardError, index: int) -> StatusboardError:
    if isinstance(exc, ValidationError):
        errors = [(f"items.{index}.{e['field']}".rstrip("."), e["message"]) for e in exc.details["errors"]]
        return ValidationError(errors)
    exc.details["index"] = index
    exc.message = f"items.{index}: {exc.message}"
    exc.args = (exc.message,)
    return exc


def _claim_allows(claim_token: str | None, now: datetime) -> ColumnElement[bool]:
    if claim_token is None:
        return ~claims_repo.live_claim_exists(work_items_table.c.id, now)
    return claims_repo.live_claim_with_token(work_items_table.c.id, claim_token, now)


def _claim_fields(claim: Claim) -> dict[str, Any]:
    """What the change log shows of a claim a completing write ended (never its token)."""
    return {
        "holder": claim["holder"],
        "epoch": claim["epoch"],
        "expires_at": claim["expires_at"],
        "end_reason": claim["end_reason"],
    }


def _refusal(
    writer: str,
    item_id: str,
    version: int,
    current: WorkItem | None,
    claim: Claim | None,
    claim_token: str | None,
    now: datetime,
) -> Exception | None:
    if current is None:
        return NotFoundError(ENTITY, id=item_id)
    if current["deleted_at"] is not None:
        return ValidationError.single("id", "work item is deleted")
    claim_refusal = write_refusal(claim, claim_token, now, writer)
    if claim_refusal is not None:
        return claim_refusal
    if current["version"] != version:
        return VersionConflictError(version, current["version"], {**current, "claim": shown(claim, now)})
    return None


def _view(
    item_id: str,
    chain: list[WorkItem],
    links: list[Link],
    children: list[WorkItem],
    claim: ClaimShown | None,
) -> WorkItemView:
    """query_work_item's answer: the item (last in `chain`), its claim, ancestors, children and dependencies."""
    return {
        **chain[-1],
        "claim": claim,
        "parent_chain": chain[:-1],
        "children": _nest(item_id, children[:MAX_DESCENDANTS]),
        "children_truncated": len(children) > MAX_DESCENDANTS,
        "dependencies": [_dependency_view(item_id, link, other) for link, other in links],
    }


def _nest(root_id: str, descendants: list[WorkItem]) -> list[WorkItemNode]:
    by_parent: dict[str | None, list[WorkItemNode]] = {}
    for row in descendants:
        by_parent.setdefault(row["parent_id"], []).append({**row, "children": []})
    for nodes in by_parent.values():
        for node in nodes:
            node["children"] = by_parent.get(node["id"], [])
    return by_parent.get(root_id, [])


def _dependency_view(item_id: str, link: Dependency, other: WorkItem) -> DependencyView:
    outgoing = link["work_item_id"] == item_id
    return {
        "id": link["id"],
        "type": link["dependency_type"],
        "direction": "outgoing" if outgoing else "incoming",
        "related_item": other,
        "created_at": link["created_at"],
        "created_by": link["created_by"],
    }
