"""SQL for deployments and the vendors and work items they touched."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast

from sqlalchemy import Connection, Result, func, select

from statusboard.domain.clock import iso
from statusboard.domain.records import Deployment, DeploymentHead
from statusboard.storage.repositories.rows import STREAMED_ROWS, record_with_times, records
from statusboard.storage.tables import deployment_vendors as dv
from statusboard.storage.tables import deployment_work_items as dw
from statusboard.storage.tables import deployments as d
from statusboard.storage.tables import vendors as v

_TIMES = ("timestamp", "created_at")


def to_record(row: Mapping[Any, Any]) -> Deployment:
    return cast(Deployment, record_with_times(row, _TIMES))


def insert(conn: Connection, values: Mapping[str, Any], vendor_ids: list[str], work_item_ids: list[str]) -> None:
    conn.execute(d.insert().values(**values))
    if vendor_ids:
        conn.execute(dv.insert(), [{"deployment_id": values["id"], "vendor_id": vid} for vid in vendor_ids])
    if work_item_ids:
        conn.execute(dw.insert(), [{"deployment_id": values["id"], "work_item_id": wid} for wid in work_item_ids])


def get(conn: Connection, deployment_id: str) -> Deployment | None:
    row = conn.execute(select(d).where(d.c.id == deployment_id)).mappings().first()
    return None if row is None else to_record(row)


def newest(
    conn: Connection, limit: int | None, *, vendor_id: str | None = None, work_item_id: str | None = None
) -> list[Deployment]:
    stmt = select(d).order_by(d.c.timestamp.desc(), d.c.id.desc())
    if vendor_id is not None:
        stmt = stmt.where(d.c.id.in_(select(dv.c.deployment_id).where(dv.c.vendor_id == vendor_id)))
    if work_item_id is not None:
        stmt = stmt.where(d.c.id.in_(select(dw.c.deployment_id).where(dw.c.work_item_id == work_item_id)))
    if limit is not None:
        stmt = stmt.limit(limit)
    return cast(list[Deployment], records(conn.execute(stmt), _TIMES))


_OUTLINE = select(d.c.id, d.c.timestamp, d.c.commit_hash, d.c.pr_number, d.c.metadata).order_by(d.c.created_at, d.c.id)


def outline(conn: Connection) -> list[DeploymentHead]:
    """What the status file shows of every deployment, in the order they were recorded."""
    return cast(list[DeploymentHead], records(conn.execute(_OUTLINE), ("timestamp",)))


def outline_stream(conn: Connection) -> Iterator[DeploymentHead]:
    """`outline`, read a few hundred rows at a time (see `vendors.facts`)."""
    for rows in conn.execute(_OUTLINE).partitions(STREAMED_ROWS):
        for deployment_id, timestamp, commit_hash, pr_number, metadata in rows:
            yield {
                "id": deployment_id,
                "timestamp": iso(timestamp),
                "commit_hash": commit_hash,
                "pr_number": pr_number,
                "metadata": metadata,
            }


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(d)).scalar_one())


def vendor_links(conn: Connection, deployment_ids: Iterable[str] | None) -> dict[str, list[str]]:
    """Each deployment's vendor ids, in vendor name order (None: of every deployment)."""
    stmt = select(dv.c.deployment_id, dv.c.vendor_id).join(v, v.c.id == dv.c.vendor_id).order_by(v.c.name_key)
    if deployment_ids is not None:
        stmt = stmt.where(dv.c.deployment_id.in_(list(deployment_ids)))
    links: dict[str, list[str]] = {}
    for deployment_id, vendor_id in conn.execute(stmt).all():
        links.setdefault(deployment_id, []).append(vendor_id)
    return links


def vendor_names(conn: Connection) -> dict[str, tuple[str, ...]]:
    """Each deployment's vendor names, in name order, for every deployment."""
    stmt = select(dv.c.deployment_id, v.c.name).join(v, v.c.id == dv.c.vendor_id).order_by(v.c.name_key)
    return _grouped(conn.execute(stmt))


def _grouped(result: Result[str, str]) -> dict[str, tuple[str, ...]]:
    """The second column grouped by the first, read a few hundred rows at a time (see `vendors.facts`).

    Tuples, not lists: the garbage collector stops tracking a tuple of strings the first
    time it sees one, so thousands of them are never promoted."""
    grouped: dict[str, tuple[str, ...]] = {}
    for rows in result.partitions(STREAMED_ROWS):
        for key, value in rows:
            grouped[key] = (*grouped.get(key, ()), value)
    return grouped


def work_item_links(conn: Connection, deployment_ids: Iterable[str] | None) -> dict[str, tuple[str, ...]]:
    """Each deployment's work item ids (None: of every deployment)."""
    stmt = select(dw.c.deployment_id, dw.c.work_item_id).order_by(dw.c.work_item_id)
    if deployment_ids is not None:
        stmt = stmt.where(dw.c.deployment_id.in_(list(deployment_ids)))
    return _grouped(conn.execute(stmt))
