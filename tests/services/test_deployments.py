"""Deployments on SQLite and PostgreSQL: references checked, nothing half-recorded, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from statusboard.domain.deployments import NewDeployment
from statusboard.domain.errors import NotFoundError, ValidationError
from statusboard.domain.validation import validated
from statusboard.domain.vendors import NewVendor
from statusboard.domain.work_items import NewWorkItem
from statusboard.wiring import App
from tests.support.clock import ManualClock

MISSING = "00000000-0000-0000-0000-000000000000"


def deploy(app: App, pr: int = 123, **refs: Any) -> dict[str, Any]:
    metadata = {
        "pr_number": pr,
        "pr_title": f"Deployment {pr}",
        "commit_hash": "a" * 40,
        "test_summary": {"passed": 45, "failed": 0, "skipped": 2},
        "constitutional_compliance": True,
    }
    return app.deployments.record("release-bot", validated(NewDeployment, {"metadata": metadata, **refs}))


def vendors(app: App, count: int) -> list[dict[str, Any]]:
    return [app.vendors.create("seed", NewVendor(name=f"vendor_{i}")) for i in range(count)]


def tasks(app: App, count: int) -> list[dict[str, Any]]:
    return [app.work_items.create("seed", NewWorkItem(item_type="task", title=f"Task {i}")) for i in range(count)]


def log_length(app: App) -> int:
    return len(app.changes.list_changes(limit=1000)["changes"])


def test_scenario_3_a_deployment_is_recorded_with_all_its_relations(app: App) -> None:
    vs, items = vendors(app, 20), tasks(app, 20)
    recorded = deploy(
        app,
        vendor_ids=[v["id"] for v in vs[:10]],
        vendor_names=[v["name"].upper() for v in vs[10:]],
        work_item_ids=[item["id"] for item in items],
    )
    found = app.deployments.query(recorded["id"])
    assert found == recorded
    assert found["metadata"]["pr_number"] == 123 and found["metadata"]["pr_title"] == "Deployment 123"
    assert found["metadata"]["commit_hash"] == "a" * 40 and found["commit_hash"] == "a" * 40
    assert found["metadata"]["test_summary"] == {"passed": 45, "failed": 0, "skipped": 2}
    assert found["metadata"]["constitutional_compliance"] is True
    assert found["timestamp"] and found["created_by"] == "release-bot"
    assert sorted(v["name"] for v in found["affected_vendors"]) == sorted(v["name"] for v in vs)
    assert sorted(w["title"] for w in found["related_work_items"]) == sorted(w["title"] for w in items)


@pytest.mark.parametrize(
    "refs",
    [
        {"vendor_ids": [MISSING]},
        {"vendor_names": ["vendor_0", "no_such_vendor"]},
        {"work_item_ids": [MISSING]},
    ],
)
def test_a_missing_reference_records_nothing(app: App, refs: dict[str, Any]) -> None:
    vendors(app, 1)
    before = log_length(app)
    with pytest.raises(NotFoundError) as exc:
        deploy(app, **refs)
    assert exc.value.details["entity"] in ("vendor", "work_item")
    assert app.deployments.list()["deployments"] == []
    assert log_length(app) == before


def test_a_reference_given_twice_is_linked_once(app: App) -> None:
    (v,) = vendors(app, 1)
    found = deploy(app, vendor_ids=[v["id"]], vendor_names=["VENDOR_0"])
    assert [x["id"] for x in found["affected_vendors"]] == [v["id"]]


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ({"commit_hash": "XYZ"}, "metadata.commit_hash"),
        ({}, "metadata.commit_hash"),
        ({"commit_hash": "abc1234", "pr_number": 0}, "metadata.pr_number"),
        ({"commit_hash": "abc1234", "test_summary": {"passed": -1}}, "metadata.test_summary.passed"),
        ({"commit_hash": "abc1234", "test_summary": {"two words": 1}}, "metadata.test_summary.two words.[key]"),
        ({"commit_hash": "abc1234", "reviewer": "x"}, "metadata.reviewer"),
    ],
)
def test_bad_metadata_is_refused(metadata: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validated(NewDeployment, {"metadata": metadata})
    assert field in {error["field"] for error in exc.value.details["errors"]}


def test_timestamps_need_a_zone() -> None:
    with pytest.raises(ValidationError) as exc:
        validated(NewDeployment, {"metadata": {"commit_hash": "abc1234"}, "timestamp": "2025-10-01T10:00:00"})
    assert exc.value.details["field"] == "timestamp"
    given = validated(NewDeployment, {"metadata": {"commit_hash": "abc1234"}, "timestamp": "2025-10-01T12:00:00+02:00"})
    assert given.timestamp == datetime(2025, 10, 1, 10, tzinfo=UTC)


def test_list_is_newest_first_and_filters_by_vendor_or_work_item(app: App) -> None:
    vs, items = vendors(app, 2), tasks(app, 2)
    base = datetime(2025, 10, 1, tzinfo=UTC)
    for day in range(30):
        refs: dict[str, Any] = {"timestamp": (base + timedelta(days=day)).isoformat()}
        if day % 3 == 0:
            refs["vendor_ids"] = [vs[0]["id"]]
        if day % 5 == 0:
            refs["work_item_ids"] = [items[1]["id"]]
        deploy(app, pr=100 + day, **refs)
    listed = app.deployments.list()
    assert listed["count"] == 10 and listed["total_count"] == 30
    assert [d["metadata"]["pr_number"] for d in listed["deployments"]] == list(range(129, 119, -1))
    by_vendor = app.deployments.list(limit=100, vendor_name="VENDOR_0")["deployments"]
    assert [d["metadata"]["pr_number"] for d in by_vendor] == [100 + day for day in range(27, -1, -3)]
    by_item = app.deployments.list(limit=100, work_item_id=items[1]["id"])["deployments"]
    assert [d["metadata"]["pr_number"] for d in by_item] == [125, 120, 115, 110, 105, 100]
    assert app.deployments.list(vendor_name="vendor_1")["deployments"] == []
    with pytest.raises(NotFoundError):
        app.deployments.list(vendor_name="nobody")


def test_a_deployment_still_shows_work_items_that_were_archived(clocked_app: App, clock: ManualClock) -> None:
    (old,) = tasks(clocked_app, 1)
    recorded = deploy(clocked_app, work_item_ids=[old["id"]])
    clock.advance(400 * 86400)
    assert clocked_app.archiving.trigger("janitor")["archived_count"] == 1
    found = clocked_app.deployments.query(recorded["id"])
    assert [(w["id"], w["title"], w["archived"]) for w in found["related_work_items"]] == [(old["id"], "Task 0", True)]
    later = deploy(clocked_app, pr=124, work_item_ids=[old["id"]])  # an archived item can still be referenced
    assert later["related_work_items"][0]["id"] == old["id"]


def test_unknown_deployment(app: App) -> None:
    with pytest.raises(NotFoundError) as exc:
        app.deployments.query(MISSING)
    assert exc.value.details == {"entity": "deployment", "id": MISSING}


def test_recording_is_in_the_change_log(app: App) -> None:
    (v,) = vendors(app, 1)
    recorded = deploy(app, vendor_ids=[v["id"]])
    (entry,) = [c for c in app.changes.list_changes()["changes"] if c["entity"] == "deployment"]
    assert entry["entity_id"] == recorded["id"] and entry["op"] == "create" and entry["actor"] == "release-bot"
    assert entry["fields"]["vendor_ids"] == [v["id"]]
