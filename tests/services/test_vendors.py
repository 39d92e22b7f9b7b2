"""Vendors on SQLite and PostgreSQL: names in any case, validated metadata, versioned updates."""

from __future__ import annotations

from typing import Any

import pytest

from statusboard.domain.errors import NotFoundError, ValidationError, VersionConflictError
from statusboard.domain.validation import validated
from statusboard.domain.vendors import NewVendor
from statusboard.wiring import App


def seed_metadata(**overrides: Any) -> dict[str, Any]:
    return {
        "format_support": {"excel": True, "csv": True, "pdf": False, "ocr": False},
        "test_results": {"passing": 10, "total": 12, "skipped": 2},
        "extractor_version": "1.2.3",
        "manifest_compliant": True,
        **overrides,
    }


def vendor(app: App, name: str, status: str = "operational", **metadata: Any) -> dict[str, Any]:
    return app.vendors.create("claude-code", NewVendor(name=name, status=status, metadata=seed_metadata(**metadata)))


def field_errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {error["field"]: error["message"] for error in exc.value.details["errors"]}


def test_scenario_1_every_vendor_answers_with_its_complete_metadata(app: App) -> None:
    for i in range(450):  # ten times the seed's 45
        vendor(app, f"vendor_{i}")
    for name in ("vendor_0", "VENDOR_217", "Vendor_449"):
        found = app.vendors.query(name)
        assert found["name"] == name.lower()
        assert found["operational"] is True and found["status"] == "operational"
        assert found["metadata"] == seed_metadata()
        assert found["extractor_version"] == "1.2.3"
        assert found["version"] == 1 and found["created_by"] == "claude-code"
    assert app.vendors.list()["total_count"] == 450


def test_names_are_unique_whatever_their_case(app: App) -> None:
    vendor(app, "Acme Extractor")
    with pytest.raises(ValidationError) as exc:
        vendor(app, "ACME extractor")
    assert exc.value.details["field"] == "name"
    assert app.vendors.query("acme EXTRACTOR")["name"] == "Acme Extractor"
    assert app.vendors.list()["total_count"] == 1


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ({"test_results": {"passing": 10, "total": 12, "skipped": 3}}, "metadata.test_results"),
        ({"test_results": {"passing": -1, "total": 12, "skipped": 0}}, "metadata.test_results.passing"),
        ({"format_support": {"excel": True, "csv": True, "pdf": False}}, "metadata.format_support.ocr"),
        ({"format_support": {"excel": 1, "csv": True, "pdf": False, "ocr": False}}, "metadata.format_support.excel"),
        ({"extractor_version": "not a version!"}, "metadata.extractor_version"),
        ({"manifest_compliant": "true"}, "metadata.manifest_compliant"),
        ({"colour": "blue"}, "metadata.colour"),
    ],
)
def test_bad_metadata_is_refused_with_its_field_path(app: App, metadata: dict[str, Any], field: str) -> None:
    draft = NewVendor.model_construct(name="v", status="operational", metadata=metadata)  # as a replay may hold it
    with pytest.raises(ValidationError) as exc:
        app.vendors.create("a", draft)
    assert field in field_errors(exc)
    assert app.vendors.list()["total_count"] == 0


def test_bad_names_are_refused() -> None:
    for name in ("", "   ", "two\nlines", "x" * 101):
        with pytest.raises(ValidationError) as exc:
            validated(NewVendor, {"name": name})
        assert exc.value.details["field"] == "name"
    assert validated(NewVendor, {"name": "  padded  "}).name == "padded"


def test_operational_follows_status_and_updates_are_versioned(app: App) -> None:
    vendor(app, "vendor_a")
    broken = app.vendors.update_status("ci", "VENDOR_A", 1, status="broken")
    assert broken["version"] == 2 and broken["status"] == "broken" and broken["operational"] is False
    assert broken["updated_by"] == "ci" and broken["created_by"] == "claude-code"
    with pytest.raises(VersionConflictError) as exc:
        app.vendors.update_status("other", "vendor_a", 1, status="operational")
    assert exc.value.details["expected_version"] == 1 and exc.value.details["actual_version"] == 2
    assert exc.value.details["current"]["status"] == "broken"
    assert app.vendors.query("vendor_a")["version"] == 2


def test_metadata_updates_are_patches_checked_as_a_whole(app: App) -> None:
    vendor(app, "vendor_a")
    updated = app.vendors.update_status(
        "ci", "vendor_a", 1, metadata={"extractor_version": "2.0.0", "manifest_compliant": None}
    )
    assert updated["extractor_version"] == "2.0.0" and updated["metadata"]["extractor_version"] == "2.0.0"
    assert "manifest_compliant" not in updated["metadata"]
    assert updated["metadata"]["test_results"] == {"passing": 10, "total": 12, "skipped": 2}
    with pytest.raises(ValidationError) as exc:
        too_many = {"test_results": {"passing": 13, "total": 12, "skipped": 0}}
        app.vendors.update_status("ci", "vendor_a", 2, metadata=too_many)
    assert "metadata.test_results" in field_errors(exc)
    assert app.vendors.query("vendor_a")["version"] == 2


def test_unknown_names_and_empty_updates(app: App) -> None:
    with pytest.raises(NotFoundError) as exc:
        app.vendors.query("nobody")
    assert exc.value.details == {"entity": "vendor", "name": "nobody"}
    with pytest.raises(NotFoundError):
        app.vendors.update_status("ci", "nobody", 1, status="broken")
    vendor(app, "v")
    with pytest.raises(ValidationError):
        app.vendors.update_status("ci", "v", 1)


def test_list_filters_by_status_in_name_order(app: App) -> None:
    for name, status in (("b", "broken"), ("A", "operational"), ("c", "operational")):
        vendor(app, name, status)
    assert [v["name"] for v in app.vendors.list()["vendors"]] == ["A", "b", "c"]
    assert [v["name"] for v in app.vendors.list("broken")["vendors"]] == ["b"]
    assert app.vendors.list("operational")["total_count"] == 2


def test_every_vendor_write_is_in_the_change_log(app: App) -> None:
    created = vendor(app, "v")
    app.vendors.update_status("ci", "v", 1, status="broken")
    changes = [c for c in app.changes.list_changes()["changes"] if c["entity"] == "vendor"]
    assert [(c["op"], c["version"], c["entity_id"]) for c in changes] == [
        ("create", 1, created["id"]),
        ("update", 2, created["id"]),
    ]
    assert changes[1]["fields"] == {"status": "broken"} and changes[1]["actor"] == "ci"
