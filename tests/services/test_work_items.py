"""Work item use cases against a real database, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from statusboard.domain.errors import NotFoundError, ValidationError, VersionConflictError
from statusboard.domain.work_items import NewWorkItem, WorkItemChanges
from statusboard.storage.repositories.work_items import ListFilter
from statusboard.wiring import App


def create(app: App, title: str, parent: dict[str, Any] | None = None, actor: str = "claude-code", **fields: Any):
    draft = NewWorkItem(
        item_type=fields.pop("item_type", "task"), title=title, parent_id=parent["id"] if parent else None, **fields
    )
    return app.work_items.create(actor, draft)


def chain(app: App, length: int) -> list[dict[str, Any]]:
    items = [create(app, "L0", item_type="project")]
    for level in range(1, length):
        items.append(create(app, f"L{level}", items[-1]))
    return items


def test_created_item_starts_at_version_1_with_audit_fields(app: App) -> None:
    item = create(app, "Write tests", metadata={"estimated_hours": 2}, branch_name="feat/x", commit_hash="abc1234")
    assert item["version"] == 1
    assert item["created_by"] == item["updated_by"] == "claude-code"
    assert item["created_at"] == item["updated_at"]
    assert item["created_at"].endswith("+00:00")
    assert item["depth"] == 0 and item["path"] == f"/{item['id']}/"
    assert item["deleted_at"] is None and item["archived"] is False


def test_five_levels_below_the_root_are_allowed_and_a_sixth_is_refused(app: App) -> None:
    items = chain(app, 6)
    assert [i["depth"] for i in items] == [0, 1, 2, 3, 4, 5]
    with pytest.raises(ValidationError) as caught:
        create(app, "too deep", items[-1])
    assert caught.value.details["field"] == "parent_id"


def test_query_returns_parent_chain_root_first_without_self(app: App) -> None:
    items = chain(app, 6)
    result = app.work_items.query(items[-1]["id"])
    assert [p["title"] for p in result["parent_chain"]] == ["L0", "L1", "L2", "L3", "L4"]
    assert result["children"] == []


def test_query_with_children_nests_every_descendant(app: App) -> None:
    items = chain(app, 4)
    sibling = create(app, "L3b", items[2])
    result = app.work_items.query(items[1]["id"], include_children=True)
    (child,) = result["children"]
    assert child["title"] == "L2"
    assert sorted(c["title"] for c in child["children"]) == ["L3", "L3b"]
    assert sibling["id"] in {c["id"] for c in child["children"]}
    assert all(grandchild["children"] == [] for grandchild in child["children"])


def test_missing_parent_is_not_found(app: App) -> None:
    with pytest.raises(NotFoundError):
        app.work_items.create(
            "a", NewWorkItem(item_type="task", title="t", parent_id="00000000-0000-0000-0000-000000000000")
        )


def test_update_bumps_version_and_records_who(app: App) -> None:
    item = create(app, "t", metadata={"estimated_hours": 2})
    updated = app.work_items.update("codex", item["id"], 1, WorkItemChanges(metadata={"actual_hours": 3}))
    assert updated["version"] == 2
    assert updated["metadata"] == {"estimated_hours": 2, "actual_hours": 3}
    assert (updated["created_by"], updated["updated_by"]) == ("claude-code", "codex")
    assert updated["updated_at"] >= item["updated_at"]


def test_stale_version_is_refused_and_changes_nothing(app: App) -> None:
    item = create(app, "original")
    app.work_items.update("a", item["id"], 1, WorkItemChanges(title="first"))
    with pytest.raises(VersionConflictError) as caught:
        app.work_items.update("b", item["id"], 1, WorkItemChanges(title="second"))
    details = caught.value.details
    assert (details["expected_version"], details["actual_version"]) == (1, 2)
    assert details["current"]["title"] == "first"
    current = app.work_items.query(item["id"])
    assert (current["title"], current["version"]) == ("first", 2)
    assert len(app.changes.list_changes()["changes"]) == 2


def test_invalid_metadata_on_update_changes_nothing(app: App) -> None:
    item = create(app, "t", item_type="session", metadata={"token_budget": 5000})
    with pytest.raises(ValidationError) as caught:
        app.work_items.update("a", item["id"], 1, WorkItemChanges.model_construct(metadata={"token_budget": 10}))
    assert caught.value.details["field"] == "metadata.token_budget"
    assert app.work_items.query(item["id"])["version"] == 1


def test_null_title_is_refused_but_null_git_fields_clear(app: App) -> None:
    item = create(app, "t", pr_number=5)
    with pytest.raises(ValidationError):
        app.work_items.update("a", item["id"], 1, WorkItemChanges.model_validate({"title": None}))
    cleared = app.work_items.update("a", item["id"], 1, WorkItemChanges.model_validate({"pr_number": None}))
    assert cleared["pr_number"] is None


def test_reparenting_moves_the_whole_subtree(app: App) -> None:
    a = chain(app, 3)
    b = create(app, "B", item_type="project")
    moved = app.work_items.update("a", a[1]["id"], 1, WorkItemChanges(parent_id=b["id"]))
    assert moved["path"] == f"/{b['id']}/{a[1]['id']}/"
    leaf = app.work_items.query(a[2]["id"])
    assert leaf["path"] == f"/{b['id']}/{a[1]['id']}/{a[2]['id']}/"
    assert [p["title"] for p in leaf["parent_chain"]] == ["B", "L1"]
    root = app.work_items.update("a", a[1]["id"], 2, WorkItemChanges.model_validate({"parent_id": None}))
    assert (root["depth"], app.work_items.query(a[2]["id"])["depth"]) == (0, 1)


def test_reparenting_under_own_descendant_is_a_cycle(app: App) -> None:
    items = chain(app, 3)
    with pytest.raises(ValidationError) as caught:
        app.work_items.update("a", items[0]["id"], 1, WorkItemChanges(parent_id=items[2]["id"]))
    assert "cycle" in caught.value.message
    with pytest.raises(ValidationError):
        app.work_items.update("a", items[0]["id"], 1, WorkItemChanges(parent_id=items[0]["id"]))
    assert app.work_items.query(items[0]["id"])["version"] == 1


def test_reparenting_that_would_exceed_depth_is_refused(app: App) -> None:
    deep = chain(app, 5)  # depths 0..4
    subtree = chain(app, 2)  # a root with one child: height 1
    with pytest.raises(ValidationError):
        app.work_items.update("a", subtree[0]["id"], 1, WorkItemChanges(parent_id=deep[-1]["id"]))
    ok = app.work_items.update("a", subtree[0]["id"], 1, WorkItemChanges(parent_id=deep[-2]["id"]))
    assert ok["depth"] == 4 and app.work_items.query(subtree[1]["id"])["depth"] == 5


def test_soft_delete_hides_from_lists_but_keeps_the_row(app: App) -> None:
    item = create(app, "gone")
    deleted = app.work_items.delete("a", item["id"], 1)
    assert deleted["deleted_at"] is not None and deleted["version"] == 2
    assert app.work_items.list(ListFilter())["total_count"] == 0
    assert app.work_items.list(ListFilter(include_deleted=True))["total_count"] == 1
    assert app.work_items.query(item["id"])["deleted_at"] == deleted["deleted_at"]
    with pytest.raises(ValidationError):
        app.work_items.update("a", item["id"], 2, WorkItemChanges(title="back"))


def test_delete_with_a_stale_version_or_live_children_is_refused(app: App) -> None:
    parent, child = chain(app, 2)
    with pytest.raises(VersionConflictError):
        app.work_items.delete("a", parent["id"], 7)
    with pytest.raises(ValidationError):
        app.work_items.delete("a", parent["id"], 1)
    assert app.work_items.query(parent["id"])["deleted_at"] is None
    app.work_items.delete("a", child["id"], 1)
    assert app.work_items.delete("a", parent["id"], 1)["deleted_at"] is not None


def test_list_filters_pages_and_counts(app: App) -> None:
    project = create(app, "P", item_type="project")
    for i in range(7):
        create(app, f"T{i}", project, actor="claude-desktop" if i % 2 else "claude-code")
    create(app, "R", item_type="research", status="blocked")
    page = app.work_items.list(ListFilter(item_type="task"), limit=3, offset=3)
    assert page["total_count"] == 7 and [i["title"] for i in page["items"]] == ["T3", "T4", "T5"]
    assert app.work_items.list(ListFilter(parent_id=project["id"]))["total_count"] == 7
    assert app.work_items.list(ListFilter(created_by="claude-desktop"))["total_count"] == 3
    assert [i["title"] for i in app.work_items.list(ListFilter(status="blocked"))["items"]] == ["R"]


def test_change_log_holds_every_write_in_order(app: App) -> None:
    item = create(app, "t")
    app.work_items.update("codex", item["id"], 1, WorkItemChanges(status="completed"))
    other = create(app, "u")
    app.dependencies.add("codex", other["id"], item["id"], "depends_on")
    app.dependencies.remove("codex", other["id"], item["id"])
    app.work_items.delete("codex", other["id"], 1)
    changes = app.changes.list_changes()["changes"]
    assert [(c["entity"], c["op"], c["version"]) for c in changes] == [
        ("work_item", "create", 1),
        ("work_item", "update", 2),
        ("work_item", "create", 1),
        ("dependency", "create", None),
        ("dependency", "delete", None),
        ("work_item", "delete", 2),
    ]
    assert [c["seq"] for c in changes] == sorted(c["seq"] for c in changes)
    assert changes[1]["fields"] == {"status": "completed"} and changes[1]["actor"] == "codex"


def test_change_log_pages_with_last_seq(app: App) -> None:
    for i in range(5):
        create(app, f"t{i}")
    first = app.changes.list_changes(0, 2)
    assert len(first["changes"]) == 2 and first["has_more"] is True
    rest = app.changes.list_changes(first["last_seq"], 100)
    assert len(rest["changes"]) == 3 and rest["has_more"] is False
    assert app.changes.list_changes(rest["last_seq"])["changes"] == []


def test_results_have_plain_string_keys_all_the_way_down(app: App) -> None:
    parent, child = chain(app, 2)
    app.dependencies.add("a", child["id"], parent["id"], "depends_on")
    result = app.work_items.query(parent["id"], include_children=True)

    def keys(value: Any) -> list[Any]:
        if isinstance(value, dict):
            return list(value) + [k for v in value.values() for k in keys(v)]
        if isinstance(value, list):
            return [k for v in value for k in keys(v)]
        return []

    assert {type(k) for k in keys(result)} == {str}
    assert {type(k) for k in keys(app.changes.list_changes())} == {str}


def test_children_are_capped_and_say_so(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    from statusboard.services import work_items as service

    monkeypatch.setattr(service, "MAX_DESCENDANTS", 3)
    root = create(app, "root", item_type="project")
    for n in range(4):
        create(app, f"c{n}", root)
    capped = app.work_items.query(root["id"], include_children=True)
    assert len(capped["children"]) == 3 and capped["children_truncated"] is True
    monkeypatch.setattr(service, "MAX_DESCENDANTS", 4)
    full = app.work_items.query(root["id"], include_children=True)
    assert len(full["children"]) == 4 and full["children_truncated"] is False
