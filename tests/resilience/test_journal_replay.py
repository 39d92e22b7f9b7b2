"""Writes during an outage: journaled durably, acknowledged with warnings, visible to reads, and
replayed on the primary in order and exactly once; a conflicting replay is kept and listed."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from statusboard.domain.work_items import NewWorkItem
from statusboard.domain.write_intent import keyed_write
from statusboard.interfaces.mcp.server import build_server
from statusboard.storage.tables import change_log, work_items
from statusboard.wiring import App
from tests.conftest import mcp_client
from tests.interfaces.test_mcp_tools import call
from tests.resilience.test_fallback_layers import Project, down_app, primary_app, project, seed

pytestmark = pytest.mark.anyio
__all__ = ["primary_app", "project"]  # fixtures used here
OUTAGE_WARNINGS = {"database_unavailable", "wrote_to_cache", "wrote_to_markdown"}


def count_items(app: App, item_id: str) -> int:
    with app.db.reading() as conn:
        return int(conn.execute(select(func.count()).where(work_items.c.id == item_id)).scalar_one())


def log_entries(app: App, entity_id: str) -> list[tuple[int, str]]:
    with app.db.reading() as conn:
        stmt = select(change_log.c.version, change_log.c.op).where(change_log.c.entity_id == entity_id)
        return [(row[0], row[1]) for row in conn.execute(stmt.order_by(change_log.c.seq))]


async def test_outage_writes_are_acknowledged_readable_and_replayed_exactly_once(
    primary_app: App, project: Project
) -> None:
    await seed(primary_app, project)
    app = down_app(project.unreachable())
    try:
        async with mcp_client(app, "codex") as client:
            created = await call(client, "create_work_item", item_type="project", title="Written offline")
            assert created["success"] and created["version"] == 1 and created["created_by"] == "codex"
            assert set(created["warnings"]) >= OUTAGE_WARNINGS
            assert created["wrote_to_cache"] is True and created["wrote_to_markdown"] is True
            item_id = created["id"]
            assert f"#{item_id}" in project.status_file.read_text()

            updated = await call(client, "update_work_item", id=item_id, version=1, status="blocked")
            assert updated["success"] and updated["version"] == 2 and updated["status"] == "blocked"
            stale = await call(client, "update_work_item", id=item_id, version=1, title="late")
            assert stale["error"] == "VersionConflictError" and stale["details"]["actual_version"] == 2

            seen = await call(client, "query_work_item", id=item_id)
            assert seen["data_source"] == "sqlite_cache" and seen["status"] == "blocked" and seen["version"] == 2
            broken = await call(client, "update_vendor_status", name="vendor_a", version=1, status="broken")
            assert broken["success"] and broken["version"] == 2 and broken["operational"] is False
            listed = await call(client, "list_vendors", status="broken")
            assert [v["name"] for v in listed["vendors"]] == ["vendor_a"] and listed["data_source"] == "sqlite_cache"
            status = await call(client, "generate_full_status")
            assert status["active_work_items"]["by_status"]["blocked"] == 1
            health = await call(client, "get_health")
            assert health["status"] == "degraded" and health["journal"]["pending"] == 3
            assert health["data_source"] == "sqlite_cache" and health["warnings"] == ["database_unavailable"]
    finally:
        app.close()

    build_server(primary_app)  # the server that replays: it knows how to run each tool
    assert primary_app.resilience.sync() is True
    async with mcp_client(primary_app) as client:
        item = await call(client, "query_work_item", id=item_id)
        assert item["data_source"] == "database" and item["version"] == 2 and item["status"] == "blocked"
        assert item["created_by"] == "codex" and item["title"] == "Written offline"
        vendor = await call(client, "query_vendor_status", name="vendor_a")
        assert vendor["version"] == 2 and vendor["status"] == "broken"
        health = await call(client, "get_health")
        assert health["status"] == "ok" and health["journal"] == {"pending": 0, "conflicts": 0}
        assert health["data_source"] == "database" and health["warnings"] == []
        assert health["last_sync"]["applied"] == 3

    assert primary_app.resilience.sync() is True  # nothing is replayed twice
    assert count_items(primary_app, item_id) == 1
    assert log_entries(primary_app, item_id) == [(1, "create"), (2, "update")]


async def test_a_write_whose_reply_was_lost_is_not_applied_again(primary_app: App, project: Project) -> None:
    key, item_id = str(uuid.uuid4()), str(uuid.uuid4())
    with keyed_write(key, item_id):  # it committed; the client never heard back
        primary_app.work_items.create("codex", NewWorkItem(item_type="task", title="maybe twice"))
    arguments = {"item_type": "task", "title": "maybe twice"}
    primary_app.resilience.store.append(key, "create_work_item", arguments, item_id, "codex")

    build_server(primary_app)
    assert primary_app.resilience.sync() is True
    assert count_items(primary_app, item_id) == 1
    assert primary_app.resilience.store.last_sync() == {
        "finished_at": pytest.approx(primary_app.resilience.store.now(), abs=60),
        "applied": 0,
        "already_committed": 1,
        "conflicts": 0,
    }


async def test_a_journaled_write_that_conflicts_on_replay_is_kept_and_listed(
    primary_app: App, project: Project, tmp_path: Path
) -> None:
    await seed(primary_app, project)
    app = down_app(project.unreachable())
    try:
        async with mcp_client(app, "claude-desktop") as client:
            offline = await call(client, "update_vendor_status", name="vendor_a", version=1, status="broken")
            assert offline["success"] and "database_unavailable" in offline["warnings"]
    finally:
        app.close()
    primary_app.vendors.update_status("copilot", "vendor_a", 1, metadata={"extractor_version": "9.9"})

    build_server(primary_app)
    assert primary_app.resilience.sync() is True
    async with mcp_client(primary_app) as client:
        conflicts = await call(client, "list_sync_conflicts")
        assert conflicts["success"] and conflicts["total_count"] == 1
        [conflict] = conflicts["conflicts"]
        assert conflict["tool"] == "update_vendor_status" and conflict["actor"] == "claude-desktop"
        assert conflict["arguments"] == {"name": "vendor_a", "version": 1, "status": "broken"}
        assert conflict["error"]["error"] == "VersionConflictError"
        assert conflict["error"]["details"]["actual_version"] == 2
        vendor = await call(client, "query_vendor_status", name="vendor_a")
        assert vendor["status"] == "operational" and vendor["version"] == 2  # the primary's winner stands
        health = await call(client, "get_health")
        assert health["journal"] == {"pending": 0, "conflicts": 1}
