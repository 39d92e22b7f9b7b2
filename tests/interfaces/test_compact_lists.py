"""List answers an agent can take in: summary rows by default, whole items on request, every
answer bounded in bytes with `has_more` telling the rest; and ready work that is work to do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from statusboard.domain import answers
from statusboard.domain.entities import SUMMARY_FIELDS, WorkItem
from statusboard.domain.status_markdown import StatusData
from statusboard.domain.work_items import NewWorkItem, WorkItemChanges
from statusboard.resilience import views
from statusboard.resilience.cache_writer import CacheWriter
from statusboard.resilience.kinds import WORK_ITEM, Holds
from statusboard.resilience.local_store import LocalStore
from statusboard.wiring import App
from tests.conftest import mcp_client
from tests.interfaces.test_mcp_tools import call
from tests.support.clock import ManualClock

WHOLE_ITEM = [*WorkItem.__required_keys__ - {"archived_at"}]


def create(app: App, title: str, item_type: str = "task", parent: dict[str, Any] | None = None) -> dict[str, Any]:
    draft = NewWorkItem(item_type=item_type, title=title, parent_id=None if parent is None else parent["id"])
    return app.work_items.create("planner", draft)


@pytest.mark.anyio
async def test_list_work_items_gives_summary_rows_unless_asked_for_whole_items(app: App) -> None:
    project = create(app, "P", "project")
    task = create(app, "T", parent=project)
    token = app.claims.claim("agent-a", task["id"], 600)["claim_token"]
    async with mcp_client(app) as client:
        summary = await call(client, "list_work_items")
        full = await call(client, "list_work_items", detail="full")
    assert [list(row) for row in summary["items"]] == [list(SUMMARY_FIELDS)] * 2
    assert summary["items"][1] == {
        "id": task["id"],
        "item_type": "task",
        "title": "T",
        "status": "active",
        "parent_id": project["id"],
        "depth": 1,
        "version": 1,
        "claim": {"holder": "agent-a", "expires_at": summary["items"][1]["claim"]["expires_at"]},
    }
    assert summary["items"][0]["claim"] is None
    assert all(set(row) == {*WHOLE_ITEM, "claim"} for row in full["items"])
    assert [row["claim"] for row in full["items"]] == [row["claim"] for row in summary["items"]]
    assert (summary["total_count"], summary["has_more"], full["has_more"]) == (2, False, False)
    assert token not in json.dumps([summary, full])


@pytest.mark.anyio
async def test_summary_rows_of_200_items_take_well_under_half_the_bytes_of_whole_ones(app: App) -> None:
    project = create(app, "Project 1", "project")
    session = create(app, "Session 1", "session", project)
    for n in range(198):
        draft = NewWorkItem(
            item_type="task", title=f"Work Item {n}", parent_id=session["id"], metadata={"priority": "medium"}
        )
        app.work_items.create("planner", draft)
    async with mcp_client(app) as client:
        summary = await client.call_tool("list_work_items", {"limit": 200})
        full = await client.call_tool("list_work_items", {"limit": 200, "detail": "full"})
    summary_bytes, full_bytes = len(summary.content[0].text), len(full.content[0].text)  # type: ignore[union-attr]
    assert len(json.loads(summary.content[0].text)["items"]) == 200  # type: ignore[union-attr]
    assert summary_bytes * 100 <= full_bytes * 40, (summary_bytes, full_bytes)


def test_ready_work_waits_for_a_containers_open_children(clocked_app: App, clock: ManualClock) -> None:
    project = create(clocked_app, "P", "project")
    session = create(clocked_app, "S", "session", project)
    task = create(clocked_app, "T", parent=session)
    clock.advance(1)
    create(clocked_app, "done", parent=session)
    ready = clocked_app.claims.list_ready()
    assert [row["title"] for row in ready["items"]] == ["T", "done"]
    assert ready["has_more"] is False and ready["count"] == 2

    claimed = clocked_app.claims.claim("agent-a", None, 600)
    assert claimed["id"] == task["id"]  # claim-next hands out work, never the project or session
    finished = WorkItemChanges(status="completed")
    clocked_app.work_items.update("agent-a", task["id"], 1, finished, claimed["claim_token"])
    second = clocked_app.claims.claim("agent-b", None, 600)
    assert second["title"] == "done"
    clocked_app.work_items.update("agent-b", second["id"], 1, finished, second["claim_token"])
    assert [row["title"] for row in clocked_app.claims.list_ready()["items"]] == ["S"]  # its work is done
    clocked_app.work_items.update("x", session["id"], 1, finished)
    assert [row["title"] for row in clocked_app.claims.list_ready()["items"]] == ["P"]


def test_a_deleted_or_blocked_child_counts_as_the_rule_says(clocked_app: App) -> None:
    project = create(clocked_app, "P", "project")
    gone = create(clocked_app, "gone", parent=project)
    clocked_app.work_items.delete("x", gone["id"], 1)
    assert [row["title"] for row in clocked_app.claims.list_ready()["items"]] == ["P"]  # a deleted child is no work
    stuck = create(clocked_app, "stuck", parent=project)
    clocked_app.work_items.update("x", stuck["id"], 1, WorkItemChanges(status="blocked"))
    assert clocked_app.claims.list_ready()["items"] == []  # a blocked child is still open work


@pytest.mark.anyio
async def test_list_ready_work_gives_summary_rows_unless_asked_for_whole_items(app: App) -> None:
    create(app, "T")
    async with mcp_client(app) as client:
        summary = await call(client, "list_ready_work")
        full = await call(client, "list_ready_work", detail="full")
    assert list(summary["items"][0]) == list(SUMMARY_FIELDS) and summary["items"][0]["claim"] is None
    assert set(full["items"][0]) == {*WHOLE_ITEM, "claim"}


@pytest.mark.anyio
async def test_every_list_answer_is_bounded_in_bytes_and_pages_through_all_rows(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = {create(app, f"Item {n}")["id"] for n in range(12)}
    monkeypatch.setattr(answers, "MAX_ANSWER_BYTES", 2000)
    async with mcp_client(app) as client:
        seen: list[str] = []
        offset, pages = 0, 0
        while True:
            page = await call(client, "list_work_items", detail="full", limit=50, offset=offset)
            assert len(json.dumps(page["items"])) <= 2000 and page["items"]
            seen += [row["id"] for row in page["items"]]
            offset, pages = offset + len(page["items"]), pages + 1
            if not page["has_more"]:
                break
        changes: list[int] = []
        since = 0
        while True:
            listed = await call(client, "list_changes", since_seq=since, limit=1000)
            changes += [entry["seq"] for entry in listed["changes"]]
            since = listed["last_seq"]
            if not listed["has_more"]:
                break
        ready = await call(client, "list_ready_work", limit=500, detail="full")
    assert sorted(seen) == sorted(ids) and len(seen) == 12 and pages > 1
    assert changes == list(range(1, 13))
    assert ready["has_more"] is True and 0 < ready["count"] < 12


def test_a_row_larger_than_the_bound_still_comes_one_at_a_time() -> None:
    rows = [{"text": "x" * 50}, {"text": "y"}]
    assert answers.within_bytes(rows, budget=10) == [rows[0]]
    assert answers.within_bytes(rows, budget=80) == rows


def test_the_fallback_list_gives_summary_rows_unless_asked_for_whole_items() -> None:
    outline = {
        "id": "i1",
        "parent_id": None,
        "depth": 0,
        "item_type": "task",
        "title": "T",
        "status": "active",
        "priority": "high",
        "branch_name": None,
        "commit_hash": None,
        "pr_number": None,
    }
    data = StatusData(work_items=[outline])  # type: ignore[list-item]
    summary = views.list_work_items(data, {"limit": 5}, 5, 0)
    full = views.list_work_items(data, {"detail": "full"}, 5, 0)
    assert summary["items"] == [
        {
            "id": "i1",
            "item_type": "task",
            "title": "T",
            "status": "active",
            "parent_id": None,
            "depth": 0,
            "version": None,  # a file shows no versions
            "claim": None,  # nor claims
        }
    ]
    assert full["items"][0]["metadata"] == {"priority": "high"} and full["has_more"] is False


def test_the_cache_never_takes_a_summary_row_for_the_item(tmp_path: Path) -> None:
    store = LocalStore(str(tmp_path / "cache.db"))
    writer = CacheWriter(lambda: store)
    row = dict.fromkeys(SUMMARY_FIELDS, None) | {"id": "i1", "version": 3}
    writer.remember(Holds(WORK_ITEM, "items"), {"items": [row]})
    assert store.entity(WORK_ITEM, id="i1") is None
    store.close()
