"""The claimable rule has one definition (storage/repositories/claims.py): the SQL the fast claim and
ready work run, and the reason the careful path gives, agree on every kind of item."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from statusboard.domain.errors import ValidationError
from statusboard.storage.repositories.claims import claimable, unclaimable_reason
from statusboard.storage.repositories.work_items import to_record
from statusboard.storage.tables import work_items
from statusboard.wiring import App

KINDS = list(itertools.product([False, True], [False, True], ["active", "blocked", "completed"]))


def _load_every_kind(app: App) -> dict[str, tuple[bool, bool, str]]:
    now = datetime.now(UTC)
    kinds = {str(uuid.uuid4()): kind for kind in KINDS}
    rows = [
        {
            "id": item_id,
            "version": 1,
            "item_type": "project",
            "title": f"deleted={deleted} archived={archived} {status}",
            "status": status,
            "parent_id": None,
            "path": f"/{item_id}/",
            "depth": 0,
            "metadata": {},
            "deleted_at": now if deleted else None,
            "archived": archived,
            "created_at": now,
            "updated_at": now,
            "created_by": "tester",
            "updated_by": "tester",
        }
        for item_id, (deleted, archived, status) in kinds.items()
    ]
    app.db.write(lambda conn: conn.execute(work_items.insert(), rows))
    return kinds


def test_the_claimable_sql_and_the_careful_paths_reason_agree_on_every_kind_of_item(app: App) -> None:
    kinds = _load_every_kind(app)
    with app.db.reading() as conn:
        in_sql = set(conn.execute(select(work_items.c.id).where(claimable(work_items))).scalars())
        items = [to_record(row) for row in conn.execute(select(work_items))]
    by_reason = {item["id"] for item in items if unclaimable_reason(item) is None}
    assert in_sql == by_reason
    assert {kinds[item_id] for item_id in in_sql} == {(False, False, "active"), (False, False, "blocked")}


def test_the_fast_claim_and_the_careful_path_claim_exactly_the_claimable_items(app: App) -> None:
    kinds = _load_every_kind(app)
    claimed = set()
    for item_id in kinds:
        try:
            app.claims.claim("agent", item_id, 60)
        except ValidationError as refused:  # the careful path says why
            assert refused.details["field"] == "id" and "work item is" in refused.message
        else:
            claimed.add(kinds[item_id])
    assert claimed == {(False, False, "active"), (False, False, "blocked")}
