"""The fallback layers answer reads by the primary's rules (domain/): list filters, vendor health."""

from __future__ import annotations

from typing import Any

from statusboard.domain.status_markdown import StatusData, render
from statusboard.resilience import views


def _vendor(name: str, status: str) -> dict[str, Any]:
    return {"id": None, "name": name, "status": status, "metadata": {}}


def test_the_fallback_filters_enhancements_by_a_quarter_in_either_form() -> None:
    enhancement = {"id": "e1", "title": "OCR", "priority": "high", "status": "planned", "target_quarter": "2026-Q2"}
    data = StatusData(enhancements=[enhancement])
    for quarter in ("Q2 2026", "2026-q2", None):
        assert views.list_enhancements(data, "high", None, quarter)["enhancements"] == [enhancement]
    assert views.list_enhancements(data, "low", None, None)["total_count"] == 0


def test_the_fallback_lists_work_items_by_the_primary_s_filters() -> None:
    items = [
        {"id": f"i{n}", "parent_id": None, "depth": 0, "item_type": kind, "title": "T", "status": status}
        for n, (kind, status) in enumerate([("task", "active"), ("task", "blocked"), ("project", "active")])
    ]
    data = StatusData(work_items=items)
    listed = views.list_work_items(data, {"item_type": "task", "status": None, "limit": 5}, 5, 0)
    assert [item["id"] for item in listed["items"]] == ["i0", "i1"] and listed["total_count"] == 2
    assert views.list_work_items(data, {"status": "active"}, 1, 1)["items"][0]["id"] == "i2"


def test_the_fallback_vendor_health_counts_as_the_primary_does() -> None:
    data = StatusData(vendors=[_vendor("Acme", "operational"), _vendor("Bolt", "broken"), _vendor("Cog", "broken")])
    assert views.full_status(data, "json", 0)["vendor_health"] == {
        "total_vendors": 3,
        "operational_count": 1,
        "broken_count": 2,
        "operational_percentage": 33.33,
    }
    assert views.full_status(StatusData(), "json", 0)["vendor_health"]["operational_percentage"] == 0.0


def test_an_outage_update_of_an_enhancement_lays_its_fields_over_the_one_shown() -> None:
    shown = {"id": "e1", "title": "OCR", "priority": "high", "status": "planned", "target_quarter": "2026-Q2"}
    data = views.overlay(
        StatusData(enhancements=[shown]), {"enhancement": [{"id": "e1", "title": "OCR v2", "version": 3}]}
    )
    assert data.enhancements == [{**shown, "title": "OCR v2", "version": 3}]
    assert "OCR v2" in render(data)


def test_an_outage_update_of_an_enhancement_the_view_never_showed_is_left_out_of_the_file() -> None:
    data = views.overlay(StatusData(), {"enhancement": [{"id": "e1", "title": "T", "version": 3}]})
    assert data.enhancements == []
    render(data)  # nothing half-known to show: the file still renders
