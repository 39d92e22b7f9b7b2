"""Look-ups the migration needs: what is already in the database, by the keys a file names it by."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Connection, select

from statusboard.domain.clock import iso
from statusboard.storage.tables import archived_work_items as a
from statusboard.storage.tables import deployments as d
from statusboard.storage.tables import enhancements as e
from statusboard.storage.tables import session_prompts as s
from statusboard.storage.tables import vendors as v
from statusboard.storage.tables import work_items as t


def vendor_ids_by_key(conn: Connection) -> dict[str, str]:
    return {str(key): str(vendor_id) for key, vendor_id in conn.execute(select(v.c.name_key, v.c.id))}


def vendors_for_check(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(v.c.name_key, v.c.status, v.c.metadata)).all()
    return [{"name_key": key, "status": status, "metadata": metadata} for key, status, metadata in rows]


def item_places(conn: Connection) -> dict[str, tuple[str, int]]:
    """Every work item's (path, depth), by id."""
    return {str(i): (str(path), int(depth)) for i, path, depth in conn.execute(select(t.c.id, t.c.path, t.c.depth))}


def item_natural_keys(conn: Connection) -> dict[tuple[str, str, str | None], str]:
    """Live items by (type, title, parent): how a file without ids names them."""
    stmt = select(t.c.item_type, t.c.title, t.c.parent_id, t.c.id).where(t.c.deleted_at.is_(None))
    return {(kind, title, parent): str(item_id) for kind, title, parent, item_id in conn.execute(stmt)}


def existing_item(conn: Connection, item_id: str | None) -> str | None:
    """The id if a work item (live or archived) has it."""
    if item_id is None:
        return None
    for table in (t, a):
        if conn.execute(select(table.c.id).where(table.c.id == item_id)).first() is not None:
            return item_id
    return None


def deployment_keys(conn: Connection) -> Counter[tuple[str, str, int | None]]:
    """How many deployments there are of each (timestamp, commit, PR): identical ones may repeat."""
    rows = conn.execute(select(d.c.timestamp, d.c.commit_hash, d.c.pr_number)).all()
    return Counter((iso(at) or "", str(commit), pr) for at, commit, pr in rows)


def enhancement_keys(conn: Connection) -> tuple[set[str], dict[tuple[str, str], str]]:
    rows = conn.execute(select(e.c.id, e.c.title, e.c.target_quarter)).all()
    return {str(row[0]) for row in rows}, {(title, quarter): str(eid) for eid, title, quarter in rows}


def prompt_keys(conn: Connection) -> Counter[tuple[str, str]]:
    """How many prompts there are of each (session, content): a prompt may be recorded twice."""
    return Counter((str(sid), str(content)) for sid, content in conn.execute(select(s.c.session_id, s.c.content)))
