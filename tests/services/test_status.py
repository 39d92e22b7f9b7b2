"""The full status on SQLite and PostgreSQL: the user's scenario 8 at three times the seed's size."""

from __future__ import annotations

import gc
import random
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from statusboard.config import Settings
from statusboard.domain.cancellation import CancelToken, OperationCancelled
from statusboard.domain.deployments import NewDeployment
from statusboard.domain.enhancements import NewEnhancement
from statusboard.domain.project_configuration import ConfigurationChanges
from statusboard.domain.validation import validated
from statusboard.domain.vendors import NewVendor
from statusboard.domain.work_items import NewWorkItem
from statusboard.wiring import App, build_app, build_server_app
from tests.support.clock import ManualClock

SCALE = 3
VENDORS, ITEMS, DEPLOYMENTS, ENHANCEMENTS = 45 * SCALE, 50 * SCALE, 10 * SCALE, 8 * SCALE
SEED_METADATA = {
    "test_results": {"passing": 10, "total": 12, "skipped": 2},
    "format_support": {"excel": True, "csv": True, "pdf": False, "ocr": False},
    "extractor_version": "1.2.3",
    "manifest_compliant": True,
}


def seed_project(app: App) -> dict[str, Any]:
    """The seed's data set, SCALE times over: 2/3 of vendors operational, a hierarchy of items."""
    rng = random.Random(8)
    for i in range(VENDORS):
        status = "operational" if i % 3 != 0 else "broken"
        app.vendors.create("seed", NewVendor(name=f"vendor_{i}", status=status, metadata=SEED_METADATA))
    expected: dict[str, Any] = {"by_type": {}, "by_priority": {}}
    parents: list[str] = []
    for i in range(ITEMS):
        item_type = ("project", "session", "task")[i % 3]
        priority = rng.choice(["high", "medium", "low"])
        parent = parents[-1] if item_type != "project" else None
        item = app.work_items.create(
            "seed",
            NewWorkItem(item_type=item_type, title=f"Work Item {i}", parent_id=parent, metadata={"priority": priority}),
        )
        if item_type != "task":
            parents.append(item["id"])
        expected["by_type"][item_type] = expected["by_type"].get(item_type, 0) + 1
        expected["by_priority"][priority] = expected["by_priority"].get(priority, 0) + 1
    base = datetime(2025, 10, 1, tzinfo=UTC)
    for i in range(DEPLOYMENTS):
        metadata = {
            "pr_number": 100 + i,
            "pr_title": f"Deployment {i}",
            "commit_hash": "a" * 40,
            "test_summary": {"passed": 45, "failed": 0, "skipped": 2},
            "constitutional_compliance": True,
        }
        when = (base + timedelta(hours=i)).isoformat()
        app.deployments.record("seed", validated(NewDeployment, {"metadata": metadata, "timestamp": when}))
    for i in range(ENHANCEMENTS):
        status = "completed" if i % 4 == 0 else "planned"
        fields = {"title": f"Enhancement {i}", "priority": rng.choice(["high", "medium", "low"]), "status": status}
        app.enhancements.create("seed", validated(NewEnhancement, {**fields, "target_quarter": "Q1 2026"}))
    return expected


def test_scenario_8_full_status_summarises_the_project(app: App) -> None:
    expected = seed_project(app)
    status = app.status.generate()
    assert status["vendor_health"] == {
        "total_vendors": VENDORS,
        "operational_count": VENDORS * 2 // 3,
        "broken_count": VENDORS // 3,
        "operational_percentage": pytest.approx(66.67, abs=0.01),
    }
    items = status["active_work_items"]
    assert items["total_count"] == ITEMS and items["archived_count"] == 0
    assert items["by_type"] == {"research": 0, **expected["by_type"]}
    assert items["by_status"] == {"active": ITEMS, "completed": 0, "blocked": 0}
    assert items["by_priority"] == {**expected["by_priority"], "unset": 0}
    recent = status["recent_deployments"]
    assert [d["pr_number"] for d in recent] == list(range(100 + DEPLOYMENTS - 1, 100 + DEPLOYMENTS - 11, -1))
    assert all({"pr_number", "pr_title", "commit_hash", "timestamp"} <= set(d) for d in recent)
    pending = status["pending_enhancements"]
    assert len(pending) == ENHANCEMENTS - ENHANCEMENTS // 4
    assert all(e["status"] != "completed" and e["priority"] and e["target_quarter"] == "2026-Q1" for e in pending)
    assert "markdown" not in status


def test_markdown_is_the_legacy_layout_and_is_stable(app: App) -> None:
    seed_project(app)
    markdown = app.status.generate("markdown")["markdown"]
    assert markdown.startswith("# Project Status\n")
    assert f"## Vendors ({VENDORS} total)\n" in markdown
    assert "- vendor_0: broken (10/12 tests passed, 2 skipped) [Excel, CSV] v1.2.3 manifest ✓\n" in markdown
    assert "- vendor_1: operational (10/12 tests passed, 2 skipped) [Excel, CSV] v1.2.3 manifest ✓\n" in markdown
    assert f"## Deployments ({DEPLOYMENTS} total)\n### 2025-10-02T05:00:00Z - PR #129\n" in markdown
    assert "- Commit: " + "a" * 40 + "\n- Tests: 45 passed, 0 failed, 2 skipped\n" in markdown
    assert f"## Future Enhancements ({ENHANCEMENTS} total)\n- Enhancement 0 (Priority: " in markdown
    assert "Q1 2026, Status: completed) #" in markdown
    assert f"## Work Items ({ITEMS} total)\n- [project] Work Item 0 (active, priority: " in markdown
    assert "\n  - [session] Work Item 1 (active, priority: " in markdown
    assert "## Session Prompts (0 total)\n" in markdown
    assert app.status.generate("markdown")["markdown"] == markdown  # same data, same file


def test_archived_items_leave_the_counts(clocked_app: App, clock: ManualClock) -> None:
    for i in range(20 * SCALE):
        clocked_app.work_items.create("seed", NewWorkItem(item_type="task", title=f"Old Task {i}"))
    clock.advance(400 * 86400)
    seed_project(clocked_app)
    assert clocked_app.archiving.trigger("janitor")["archived_count"] == 20 * SCALE
    items = clocked_app.status.generate()["active_work_items"]
    assert items["total_count"] == ITEMS and items["archived_count"] == 20 * SCALE
    assert "Old Task" not in clocked_app.status.generate("markdown")["markdown"]


def test_write_file_replaces_the_status_file(database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "docs" / ".project_status.md"
    app = build_app(Settings(database_url=database_url, markdown_path=str(target)))
    try:
        app.vendors.create("seed", NewVendor(name="vendor_a"))
        first = app.status.generate("json", write_file=True)
        assert first["written_to"] == str(target.resolve()) and "markdown" not in first
        assert "- vendor_a: operational\n" in target.read_text(encoding="utf-8")
        app.vendors.create("seed", NewVendor(name="vendor_b"))
        second = app.status.generate("markdown", write_file=True)
        assert target.read_text(encoding="utf-8") == second["markdown"]
        assert "- vendor_b: operational\n" in second["markdown"]

        cancel = CancelToken()
        cancel.cancel()
        app.vendors.create("seed", NewVendor(name="vendor_c"))
        with pytest.raises(OperationCancelled):
            app.status.generate("markdown", write_file=True, cancel=cancel)
        assert target.read_text(encoding="utf-8") == second["markdown"]
        assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no temporary file left
    finally:
        app.close()


def test_a_status_is_built_anew_after_any_write_from_any_process(database_url: str) -> None:
    reader = build_app(Settings(database_url=database_url))
    writer = build_app(Settings(database_url=database_url))  # another server on the same database
    try:
        first = reader.status.generate("markdown")
        assert reader.status.generate("markdown")["as_of_seq"] == first["as_of_seq"]
        writer.vendors.create("other", NewVendor(name="vendor_from_elsewhere"))
        second = reader.status.generate("markdown")
        assert second["as_of_seq"] > first["as_of_seq"]
        assert second["vendor_health"]["total_vendors"] == 1 and "- vendor_from_elsewhere:" in second["markdown"]
        config = writer.configuration.get()
        writer.configuration.update("other", config["version"], ConfigurationChanges(git_dirty=True))
        third = reader.status.generate("json")
        assert third["as_of_seq"] > second["as_of_seq"] and third["vendor_health"] == second["vendor_health"]
    finally:
        reader.close()
        writer.close()


def test_a_server_builds_the_status_ahead_so_its_first_request_reads_only_the_log(database_url: str) -> None:
    seeding = build_app(Settings(database_url=database_url))
    try:
        seed_project(seeding)
        expected = seeding.status.generate("markdown")
    finally:
        seeding.close()
    gc.unfreeze()
    server = build_server_app(Settings(database_url=database_url))
    try:
        assert gc.get_freeze_count() > 0  # the start-up heap is kept out of full garbage collections
        assert server.warming is not None
        server.warming.join(timeout=30)
        assert not server.warming.is_alive(), "the warm-up did not finish within 30 s"
        statements: list[str] = []
        mine = threading.get_ident()  # the server's monitor reads on its own thread meanwhile

        def seen(*args: Any) -> None:
            if threading.get_ident() == mine:
                statements.append(args[2])

        event.listen(server.db.engine, "before_cursor_execute", seen)
        first = server.status.generate("markdown")
        assert len(statements) == 1 and "change_log" in statements[0], statements  # the settled seq, no more
        assert first["markdown"] == expected["markdown"] and first["as_of_seq"] == expected["as_of_seq"]
    finally:
        server.close()
