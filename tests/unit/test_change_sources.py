"""What a write makes stale is decided by one table (domain/change_sources), which the kept
status and the fallback cache's copy of the file's data both read."""

from __future__ import annotations

from typing import Any

from statusboard.domain import change_sources
from statusboard.domain.change_sources import SOURCES
from statusboard.domain.status_markdown import StatusData
from statusboard.resilience import snapshot_fields, views
from statusboard.services.status_parts import FILE_SECTIONS, SUMMARY

VENDOR_ID = "00000000-0000-4000-8000-000000000001"


def test_a_vendor_write_makes_vendors_stale_and_leaves_deployments() -> None:
    assert change_sources.stale([("vendor", "update")]) == {"vendors"}
    assert change_sources.stale([("deployment", "create")]) == {"deployments"}
    assert change_sources.stale([("work_item", "archive")]) == {"work_items", "archived_count"}
    assert change_sources.stale([("work_item", "claim"), ("dependency", "create")]) == frozenset()
    assert change_sources.stale([("something_new", "create")]) is None


def test_the_kept_status_and_the_cache_copy_read_the_one_table() -> None:
    parts = SUMMARY + FILE_SECTIONS
    assert set().union(*(part.shows for part in parts)) == set(SOURCES)
    assert set(snapshot_fields._EVERYTHING) == set(SOURCES)


def _vendor(status: str) -> dict[str, Any]:
    return {"id": VENDOR_ID, "name": "Acme", "status": status, "metadata": {"extractor_version": "1.0"}}


def test_a_deployment_shows_its_vendors_as_the_vendors_hold_them() -> None:
    deployment = {
        "id": "d1",
        "timestamp": "2026-01-01T00:00:00+00:00",
        "commit_hash": "abcdef1",
        "pr_number": None,
        "metadata": {"commit_hash": "abcdef1"},
        "affected_vendors": [{"id": VENDOR_ID, "name": "Acme"}],
        "related_work_items": [],
    }
    data = StatusData(vendors=[_vendor("operational")], deployments=[deployment])
    newer = {**_vendor("broken"), "version": 3}
    shown = views.overlay(data, {"vendor": [newer]})
    (listed,) = views.list_deployments(shown, 10, "acme", None)["deployments"]
    assert listed["affected_vendors"] == [_vendor("broken")]
