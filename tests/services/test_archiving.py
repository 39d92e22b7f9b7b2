"""Archiving: old work items move to the archive whole, in one transaction that can be cancelled."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import func, select

from statusboard.domain.cancellation import CancelToken, OperationCancelled
from statusboard.domain.errors import NotFoundError
from statusboard.domain.work_items import NewWorkItem
from statusboard.services.archiving import ArchivingService
from statusboard.storage.repositories.work_items import ListFilter
from statusboard.storage.tables import archived_work_items, work_item_dependencies, work_items
from statusboard.wiring import App
from tests.support.clock import ManualClock

DAY = 24 * 3600


def make(app: App, title: str, parent: dict[str, Any] | None = None, item_type: str = "task") -> dict[str, Any]:
    draft = NewWorkItem(item_type=item_type, title=title, parent_id=None if parent is None else parent["id"])
    return app.work_items.create("planner", draft)


def counts(app: App) -> tuple[int, int, int]:
    with app.db.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in (work_items, archived_work_items, work_item_dependencies)
        )


def test_old_items_move_to_the_archive_and_leave_default_queries(clocked_app: App, clock: ManualClock) -> None:
    old = [make(clocked_app, f"old {n}") for n in range(20)]
    clock.advance(400 * DAY)
    fresh = [make(clocked_app, f"fresh {n}") for n in range(5)]

    result = clocked_app.archiving.trigger("janitor")

    assert result["archived_count"] == 20
    listed = clocked_app.work_items.list(ListFilter(), limit=500)
    assert {i["id"] for i in listed["items"]} == {i["id"] for i in fresh} and listed["total_count"] == 5
    with pytest.raises(NotFoundError):
        clocked_app.work_items.query(old[0]["id"])
    again = clocked_app.work_items.query(old[0]["id"], include_archived=True)
    assert again["title"] == "old 0" and again["archived"] is True and again["version"] == 1
    page = clocked_app.archiving.list(limit=5)
    assert page["total_count"] == 20 and len(page["items"]) == 5 and all(i["archived"] for i in page["items"])
    archive_ops = [c for c in clocked_app.changes.list_changes(limit=1000)["changes"] if c["op"] == "archive"]
    assert len(archive_ops) == 20 and {c["actor"] for c in archive_ops} == {"janitor"}


def test_only_whole_subtrees_and_dependency_groups_are_archived(clocked_app: App, clock: ManualClock) -> None:
    project = make(clocked_app, "old project", item_type="project")
    old_child = make(clocked_app, "old child", project)
    lonely = make(clocked_app, "old, linked to a fresh item")
    pair_a, pair_b = make(clocked_app, "old pair a"), make(clocked_app, "old pair b")
    clocked_app.dependencies.add("planner", pair_a["id"], pair_b["id"], "depends_on")
    claimed = make(clocked_app, "old but claimed")
    clock.advance(400 * DAY)
    fresh_child = make(clocked_app, "fresh child", old_child)  # keeps its ancestors live
    fresh = make(clocked_app, "fresh")
    clocked_app.dependencies.add("planner", fresh["id"], lonely["id"], "depends_on")
    clocked_app.claims.claim("agent", claimed["id"], 600)

    result = clocked_app.archiving.trigger("janitor")

    assert result["archived_count"] == 2  # the pair, with the link between them
    for item in (project, old_child, lonely, claimed, fresh_child, fresh):
        clocked_app.work_items.query(item["id"])  # still live
    archived = clocked_app.work_items.query(pair_a["id"], include_archived=True)
    assert [d["related_item"]["id"] for d in archived["dependencies"]] == [pair_b["id"]]
    assert counts(clocked_app) == (6, 2, 1)


def test_archived_subtree_reads_back_with_its_children(clocked_app: App, clock: ManualClock) -> None:
    project = make(clocked_app, "P", item_type="project")
    session = make(clocked_app, "S", project, item_type="session")
    task = make(clocked_app, "T", session)
    clock.advance(400 * DAY)
    assert clocked_app.archiving.trigger("janitor")["archived_count"] == 3
    tree = clocked_app.work_items.query(project["id"], include_archived=True, include_children=True)
    assert [c["id"] for c in tree["children"]] == [session["id"]]
    assert [c["id"] for c in tree["children"][0]["children"]] == [task["id"]]
    leaf = clocked_app.work_items.query(task["id"], include_archived=True)
    assert [a["id"] for a in leaf["parent_chain"]] == [project["id"], session["id"]]


def test_cancelling_mid_way_leaves_the_database_unchanged(clocked_app: App, clock: ManualClock) -> None:
    archiving = ArchivingService(clocked_app.db, clock, chunk_size=7)  # many chunks: a middle to cancel in
    items = [make(clocked_app, f"old {n}") for n in range(60)]
    for a, b in itertools.pairwise(items):
        clocked_app.dependencies.add("planner", a["id"], b["id"], "depends_on")
    clock.advance(400 * DAY)
    before = counts(clocked_app), clocked_app.changes.list_changes(limit=1000)["last_seq"]
    cancel = CancelToken()
    seen: list[tuple[int, int]] = []

    def cancel_after_two_chunks(done: int, total: int) -> None:
        seen.append((done, total))
        if len(seen) == 2:
            cancel.cancel()

    with pytest.raises(OperationCancelled):
        archiving.trigger("janitor", cancel=cancel, progress=cancel_after_two_chunks)

    assert seen == [(7, 60), (14, 60)]  # it really was half-way
    assert (counts(clocked_app), clocked_app.changes.list_changes(limit=1000)["last_seq"]) == before
    assert archiving.trigger("janitor")["archived_count"] == 60  # and can run again
