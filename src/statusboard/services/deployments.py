"""Use cases for deployments: record (every reference checked), query, list newest first."""

from __future__ import annotations

from sqlalchemy import Connection

from statusboard.domain.clock import Clock
from statusboard.domain.deployments import NewDeployment
from statusboard.domain.entities import WorkItem
from statusboard.domain.errors import NotFoundError
from statusboard.domain.records import Deployment, DeploymentList, DeploymentView
from statusboard.domain.validation import new_id
from statusboard.domain.vendors import name_key
from statusboard.services.changes import ChangeEntry, record
from statusboard.storage.database import Database
from statusboard.storage.repositories import archive as archive_repo
from statusboard.storage.repositories import deployments as repo
from statusboard.storage.repositories import vendors as vendors_repo
from statusboard.storage.repositories import work_items as items_repo

ENTITY = "deployment"


class DeploymentService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def record(self, actor: str, draft: NewDeployment) -> DeploymentView:
        metadata = draft.metadata.model_dump(mode="json", exclude_none=True)

        def work(conn: Connection) -> DeploymentView:
            vendor_ids = _resolve_vendors(conn, draft.vendor_ids, draft.vendor_names)
            work_item_ids = _unique(draft.work_item_ids)
            _check_work_items(conn, work_item_ids)
            now = self._clock.now()
            deployment_id = new_id()
            values = {
                "id": deployment_id,
                "timestamp": draft.timestamp or now,
                "commit_hash": draft.metadata.commit_hash,
                "pr_number": draft.metadata.pr_number,
                "metadata": metadata,
                "created_at": now,
                "created_by": actor,
            }
            repo.insert(conn, values, vendor_ids, work_item_ids)
            fields = {"metadata": metadata, "vendor_ids": vendor_ids, "work_item_ids": work_item_ids}
            record(self._db, conn, actor, now, [ChangeEntry(ENTITY, deployment_id, None, "create", fields)])
            row = repo.get(conn, deployment_id)
            assert row is not None
            return deployment_views(conn, [row])[0]

        return self._db.write(work)

    def query(self, deployment_id: str) -> DeploymentView:
        with self._db.reading() as conn:
            row = repo.get(conn, deployment_id)
            if row is None:
                raise NotFoundError(ENTITY, id=deployment_id)
            return deployment_views(conn, [row])[0]

    def list(self, limit: int = 10, vendor_name: str | None = None, work_item_id: str | None = None) -> DeploymentList:
        with self._db.reading() as conn:
            vendor_id = None
            if vendor_name is not None:
                vendor = vendors_repo.by_key(conn, name_key(vendor_name))
                if vendor is None:
                    raise NotFoundError("vendor", name=vendor_name)
                vendor_id = vendor["id"]
            rows = repo.newest(conn, limit, vendor_id=vendor_id, work_item_id=work_item_id)
            deployments = deployment_views(conn, rows)
            total = repo.count(conn) if vendor_id is None and work_item_id is None else None
        result: DeploymentList = {"deployments": deployments, "count": len(deployments)}
        if total is not None:
            result["total_count"] = total
        return result


def deployment_views(conn: Connection, rows: list[Deployment]) -> list[DeploymentView]:
    """The deployments with their affected vendors and related work items (live or archived)."""
    ids = [row["id"] for row in rows]
    vendor_links = repo.vendor_links(conn, ids)
    item_links = repo.work_item_links(conn, ids)
    vendors = vendors_repo.by_ids(conn, {vid for links in vendor_links.values() for vid in links})
    wanted = sorted({wid for links in item_links.values() for wid in links})
    items: dict[str, WorkItem] = items_repo.by_ids(conn, wanted) if wanted else {}
    missing = [wid for wid in wanted if wid not in items]
    if missing:
        archived = archive_repo.by_ids(conn, missing)
        items.update(archived)
    return [
        {
            **row,
            "affected_vendors": [vendors[vid] for vid in vendor_links.get(row["id"], [])],
            "related_work_items": [items[wid] for wid in item_links.get(row["id"], []) if wid in items],
        }
        for row in rows
    ]


def _resolve_vendors(conn: Connection, ids: list[str], names: list[str]) -> list[str]:
    resolved = _unique(ids)
    found = vendors_repo.by_ids(conn, resolved) if resolved else {}
    for vendor_id in resolved:
        if vendor_id not in found:
            raise NotFoundError("vendor", id=vendor_id)
    by_key = vendors_repo.by_keys(conn, {name_key(name) for name in names}) if names else {}
    for name in names:
        vendor = by_key.get(name_key(name))
        if vendor is None:
            raise NotFoundError("vendor", name=name)
        resolved.append(vendor["id"])
    return _unique(resolved)


def _check_work_items(conn: Connection, ids: list[str]) -> None:
    if not ids:
        return
    live = items_repo.by_ids(conn, ids)
    missing = [wid for wid in ids if wid not in live]
    archived = archive_repo.by_ids(conn, missing) if missing else {}
    for wid in missing:
        if wid not in archived:
            raise NotFoundError("work_item", id=wid)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
