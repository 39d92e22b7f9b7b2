"""Enhancements on SQLite and PostgreSQL: quarters in either form, versioned updates, no cycles."""

from __future__ import annotations

from typing import Any

import pytest

from statusboard.domain.enhancements import EnhancementChanges, NewEnhancement
from statusboard.domain.errors import NotFoundError, ValidationError, VersionConflictError
from statusboard.domain.validation import validated
from statusboard.wiring import App

MISSING = "00000000-0000-0000-0000-000000000000"


def plan(app: App, title: str, priority: str = "medium", quarter: str = "Q1 2026", **fields: Any) -> dict[str, Any]:
    draft = validated(NewEnhancement, {"title": title, "priority": priority, "target_quarter": quarter, **fields})
    return app.enhancements.create("planner", draft)


def change(app: App, enhancement: dict[str, Any], **fields: Any) -> dict[str, Any]:
    changes = validated(EnhancementChanges, fields)
    return app.enhancements.update("planner", enhancement["id"], enhancement["version"], changes)


def test_quarters_and_priorities_are_read_in_either_form(app: App) -> None:
    a = plan(app, "A", "High", "Q1 2026")
    b = plan(app, "B", "low", "2026-q3")
    assert (a["priority"], a["target_quarter"], a["status"]) == ("high", "2026-Q1", "planned")
    assert (b["priority"], b["target_quarter"]) == ("low", "2026-Q3")
    for bad in ("Q5 2026", "2026", "first quarter", ""):
        with pytest.raises(ValidationError) as exc:
            plan(app, "bad", quarter=bad)
        assert exc.value.details["field"] == "target_quarter"
    with pytest.raises(ValidationError) as exc:
        plan(app, "bad", priority="urgent")
    assert exc.value.details["field"] == "priority"


def test_list_filters_by_priority_status_and_quarter(app: App) -> None:
    for i in range(24):
        plan(app, f"E{i}", ("high", "medium", "low")[i % 3], f"Q{i % 4 + 1} 2026")
    assert app.enhancements.list()["total_count"] == 24
    high = app.enhancements.list(priority="high")["enhancements"]
    assert [e["title"] for e in high] == [f"E{i}" for i in range(0, 24, 3)]
    q2 = app.enhancements.list(target_quarter="Q2 2026")
    assert q2 == app.enhancements.list(target_quarter="2026-Q2") and q2["total_count"] == 6
    assert app.enhancements.list(priority="high", target_quarter="2026-Q1")["total_count"] == 2
    assert app.enhancements.list(status="completed")["total_count"] == 0


def test_updates_are_versioned(app: App) -> None:
    e = plan(app, "A", description="first")
    updated = change(app, e, status="in_progress", description=None, requires_principles=["Library-first"])
    assert updated["version"] == 2 and updated["status"] == "in_progress" and updated["description"] is None
    assert updated["requires_principles"] == ["Library-first"]
    with pytest.raises(VersionConflictError) as exc:
        change(app, e, status="completed")
    assert exc.value.details["actual_version"] == 2 and exc.value.details["current"]["status"] == "in_progress"
    with pytest.raises(NotFoundError):
        app.enhancements.update("x", MISSING, 1, validated(EnhancementChanges, {"status": "approved"}))
    with pytest.raises(ValidationError):
        change(app, updated, title=None)
    with pytest.raises(ValidationError):
        change(app, updated)


def test_dependencies_never_form_a_cycle(app: App) -> None:
    a = plan(app, "A")
    b = plan(app, "B", depends_on=[a["id"]])
    c = plan(app, "C", depends_on=[b["id"], b["id"]])
    assert b["depends_on"] == [a["id"]] and c["depends_on"] == [b["id"]]
    with pytest.raises(ValidationError) as exc:
        change(app, a, depends_on=[c["id"]])  # A -> C -> B -> A
    assert exc.value.details["field"] == "depends_on"
    with pytest.raises(ValidationError):
        change(app, a, depends_on=[a["id"]])
    with pytest.raises(NotFoundError):
        change(app, a, depends_on=[MISSING])
    with pytest.raises(NotFoundError):
        plan(app, "D", depends_on=[MISSING])
    assert app.enhancements.list()["enhancements"][0]["version"] == 1  # A untouched by the refusals
    cleared = change(app, c, depends_on=[])
    assert cleared["depends_on"] == []
    moved = change(app, a, depends_on=[c["id"]])  # no cycle any more
    assert moved["depends_on"] == [c["id"]]


def test_every_enhancement_write_is_in_the_change_log(app: App) -> None:
    e = plan(app, "A")
    change(app, e, status="approved")
    ops = [(c["op"], c["version"]) for c in app.changes.list_changes()["changes"] if c["entity"] == "enhancement"]
    assert ops == [("create", 1), ("update", 2)]
