"""SQL for the archive: what may move, moving it, and reading it back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypedDict, cast

from sqlalchemy import Connection, delete, func, or_, select

from statusboard.domain.clock import as_utc, iso
from statusboard.domain.entities import ArchivedClaim, Dependency, WorkItem
from statusboard.storage.repositories import dependencies as dependencies_repo
from statusboard.storage.repositories import work_items as items_repo
from statusboard.storage.repositories.rows import plain_dict
from statusboard.storage.tables import archived_work_items as a
from statusboard.storage.tables import work_item_claims as c
from statusboard.storage.tables import work_item_dependencies as d
from statusboard.storage.tables import work_items as t


class ArchiveRecord(TypedDict):
    """What an archived item keeps in its `record`: the item as it left, its dependencies and its
    claim history (without the tokens)."""

    item: WorkItem
    dependencies: list[Dependency]
    claims: list[ArchivedClaim]


def snapshot(
    conn: Connection, cutoff: datetime, now: datetime
) -> tuple[dict[str, tuple[str | None, int]], set[str], list[tuple[str, str]]]:
    """Every item's parent and depth, the items old enough and unclaimed, and the dependency pairs."""
    parents: dict[str, tuple[str | None, int]] = {}
    old: set[str] = set()
    live = select(c.c.work_item_id).where(c.c.ended_at.is_(None), c.c.expires_at > now)
    claimed = {row[0] for row in conn.execute(live)}
    for item_id, parent_id, depth, updated_at in conn.execute(select(t.c.id, t.c.parent_id, t.c.depth, t.c.updated_at)):
        parents[item_id] = (parent_id, depth)
        if as_utc(updated_at) < cutoff and item_id not in claimed:
            old.add(item_id)
    links = [(str(a), str(b)) for a, b in conn.execute(select(d.c.work_item_id, d.c.depends_on_id))]
    return parents, old, links


def move(conn: Connection, ids: list[str], now: datetime, actor: str) -> list[WorkItem]:
    """Moves these items, with their dependencies and claim history, into the archive."""
    items = [items_repo.to_record(row) for row in conn.execute(select(t).where(t.c.id.in_(ids)))]
    touching = or_(d.c.work_item_id.in_(ids), d.c.depends_on_id.in_(ids))
    links = [dependencies_repo.to_record(row) for row in conn.execute(select(d).where(touching))]
    claims = [plain_dict(row) for row in conn.execute(select(c).where(c.c.work_item_id.in_(ids))).mappings()]
    kept: dict[str, ArchiveRecord] = {i["id"]: {"item": i, "dependencies": [], "claims": []} for i in items}
    for link in links:
        for end in (link["work_item_id"], link["depends_on_id"]):
            if end in kept:
                kept[end]["dependencies"].append(link)
    for claim in claims:
        claim = {**claim, **{k: iso(claim[k]) for k in ("claimed_at", "expires_at", "ended_at")}}
        claim.pop("token")  # a token is a secret and is useless once archived
        kept[claim["work_item_id"]]["claims"].append(cast(ArchivedClaim, claim))
    if items:
        conn.execute(
            a.insert(),
            [
                {
                    "id": item["id"],
                    "item_type": item["item_type"],
                    "title": item["title"],
                    "status": item["status"],
                    "parent_id": item["parent_id"],
                    "path": item["path"],
                    "depth": item["depth"],
                    "created_at": datetime.fromisoformat(item["created_at"]),
                    "updated_at": datetime.fromisoformat(item["updated_at"]),
                    "archived_at": now,
                    "archived_by": actor,
                    "record": kept[item["id"]],
                }
                for item in items
            ],
        )
    conn.execute(delete(c).where(c.c.work_item_id.in_(ids)))
    conn.execute(delete(d).where(touching))
    conn.execute(delete(t).where(t.c.id.in_(ids)))
    return items


def _view(row: Mapping[Any, Any]) -> WorkItem:
    """The archived item as it was when it left, marked archived."""
    item: WorkItem = row["record"]["item"]
    return {**item, "archived": True, "archived_at": iso(row["archived_at"])}


def get(conn: Connection, item_id: str) -> WorkItem | None:
    found = get_with_record(conn, item_id)
    return None if found is None else found[0]


def get_with_record(conn: Connection, item_id: str) -> tuple[WorkItem, ArchiveRecord] | None:
    """The archived item, and the record it was archived with (its dependencies and claims)."""
    row = conn.execute(select(a).where(a.c.id == item_id)).mappings().first()
    return None if row is None else (_view(row), cast(ArchiveRecord, row["record"]))


def subtree(conn: Connection, path: str) -> list[WorkItem]:
    stmt = select(a).where(a.c.path.startswith(path, autoescape=True), a.c.path != path).order_by(a.c.depth, a.c.id)
    return [_view(row) for row in conn.execute(stmt).mappings()]


def page(conn: Connection, limit: int, offset: int) -> tuple[list[WorkItem], int]:
    total = int(conn.execute(select(func.count()).select_from(a)).scalar_one())
    stmt = select(a).order_by(a.c.archived_at, a.c.created_at, a.c.id).limit(limit).offset(offset)
    return [_view(row) for row in conn.execute(stmt).mappings()], total


def by_ids(conn: Connection, ids: list[str]) -> dict[str, WorkItem]:
    rows = conn.execute(select(a).where(a.c.id.in_(ids))).mappings()
    return {row["id"]: _view(row) for row in rows}


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(a)).scalar_one())
