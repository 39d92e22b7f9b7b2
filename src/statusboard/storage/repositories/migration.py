"""Look-ups the migration needs: what is already in the database, by the keys a file names it by."""

from __future__ import annotations

from sqlalchemy import Connection, select

from statusboard.domain.clock import as_utc
from statusboard.domain.entry_pairing import (
    DeploymentKey,
    EnhancementKey,
    PromptKey,
    WorkItemKey,
    deployment_key,
    enhancement_key,
    prompt_key,
    work_item_key,
)
from statusboard.domain.reconciliation import VendorFields
from statusboard.storage.tables import archived_work_items as a
from statusboard.storage.tables import deployments as d
from statusboard.storage.tables import enhancements as e
from statusboard.storage.tables import session_prompts as s
from statusboard.storage.tables import vendors as v
from statusboard.storage.tables import work_items as t


def vendor_ids_by_key(conn: Connection) -> dict[str, str]:
    return {str(key): str(vendor_id) for key, vendor_id in conn.execute(select(v.c.name_key, v.c.id))}


def vendors_for_check(conn: Connection) -> dict[str, VendorFields]:
    """What the reconciliation compares of every vendor, by name key."""
    rows = conn.execute(select(v.c.name_key, v.c.status, v.c.metadata)).all()
    return {key: {"status": status, "metadata": metadata} for key, status, metadata in rows}


def item_places(conn: Connection) -> dict[str, tuple[str, int]]:
    """Every work item's (path, depth), by id."""
    return {str(i): (str(path), int(depth)) for i, path, depth in conn.execute(select(t.c.id, t.c.path, t.c.depth))}


def archived_item_ids(conn: Connection) -> set[str]:
    return {str(item_id) for item_id in conn.execute(select(a.c.id)).scalars()}


def live_item_keys(conn: Connection) -> list[tuple[WorkItemKey, str]]:
    """Live items by (type, title, parent), oldest first: how a file without ids names them."""
    stmt = select(t.c.item_type, t.c.title, t.c.parent_id, t.c.id).where(t.c.deleted_at.is_(None))
    rows = conn.execute(stmt.order_by(t.c.created_at, t.c.id))
    return [(work_item_key(kind, title, parent), str(item_id)) for kind, title, parent, item_id in rows]


def existing_item(conn: Connection, item_id: str | None) -> str | None:
    """The id if a work item (live or archived) has it."""
    if item_id is None:
        return None
    for table in (t, a):
        if conn.execute(select(table.c.id).where(table.c.id == item_id)).first() is not None:
            return item_id
    return None


def deployment_keys(conn: Connection) -> list[tuple[DeploymentKey, str]]:
    """Every deployment by what the file shows of it, oldest first: identical ones may repeat."""
    stmt = select(d.c.timestamp, d.c.commit_hash, d.c.pr_number, d.c.id).order_by(d.c.created_at, d.c.id)
    return [(deployment_key(at, str(commit), pr), str(i)) for at, commit, pr, i in conn.execute(stmt)]


def enhancement_keys(conn: Connection) -> list[tuple[EnhancementKey, str]]:
    stmt = select(e.c.title, e.c.target_quarter, e.c.id).order_by(e.c.created_at, e.c.id)
    return [(enhancement_key(title, quarter), str(i)) for title, quarter, i in conn.execute(stmt)]


def prompt_keys(conn: Connection) -> list[tuple[PromptKey, str]]:
    """Every prompt by what the file shows of it, in file order: a prompt may be recorded twice."""
    stmt = select(s.c.recorded_at, s.c.session_id, s.c.content, s.c.id).order_by(s.c.recorded_at, s.c.id)
    return [
        (prompt_key(as_utc(at).date(), str(sid), str(content)), str(i)) for at, sid, content, i in conn.execute(stmt)
    ]
