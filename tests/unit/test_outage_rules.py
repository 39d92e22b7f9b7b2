"""A write acknowledged during an outage is held to the primary's rules (domain/), as far as
the local view knows the entities it names: no database, the projections are called directly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from statusboard.domain.errors import StatusboardError, ValidationError
from statusboard.domain.work_items import root_path
from statusboard.resilience import item_projection, record_projection
from statusboard.resilience.journal_write import Projection, Write
from statusboard.resilience.kinds import ENHANCEMENT, VENDOR, WORK_ITEM

ROOT = "00000000-0000-4000-8000-000000000001"
CHILD = "00000000-0000-4000-8000-000000000002"
GONE = "00000000-0000-4000-8000-000000000003"
UNKNOWN = "00000000-0000-4000-8000-000000000009"
A, B, C = (f"00000000-0000-4000-8000-00000000001{n}" for n in range(3))

KNOWN: dict[tuple[str, str], dict[str, Any]] = {
    (WORK_ITEM, ROOT): {"id": ROOT, "item_type": "project", "version": 1, "path": root_path(ROOT), "depth": 0},
    (WORK_ITEM, CHILD): {
        "id": CHILD,
        "item_type": "task",
        "version": 1,
        "parent_id": ROOT,
        "path": f"{root_path(ROOT)}{CHILD}/",
        "depth": 1,
        "metadata": {"priority": "high"},
    },
    (WORK_ITEM, GONE): {
        "id": GONE,
        "item_type": "task",
        "version": 1,
        "path": root_path(GONE),
        "depth": 0,
        "deleted_at": "2026-01-01T00:00:00+00:00",
    },
    # A depends on B, B on C; what C depends on is not known here.
    (ENHANCEMENT, A): {"id": A, "title": "A", "version": 1, "depends_on": [B]},
    (ENHANCEMENT, B): {"id": B, "title": "B", "version": 1, "depends_on": [C]},
    (VENDOR, "acme"): {"id": UNKNOWN, "name": "Acme", "version": 2, "status": "operational", "metadata": {}},
}


def known(kind: str, *, id: str | None = None, name_key: str | None = None) -> dict[str, Any] | None:
    found = KNOWN.get((kind, id or name_key or ""))
    return None if found is None else dict(found)


def project(projector: Any, arguments: dict[str, Any]) -> Projection:
    write = Write(arguments, "tester", datetime(2026, 2, 1, tzinfo=UTC), UNKNOWN, known)
    result: Projection = projector(write)
    return result


def refusal(projector: Any, arguments: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(StatusboardError) as caught:
        project(projector, arguments)
    assert isinstance(caught.value, ValidationError), caught.value
    return [(e["field"], e["message"]) for e in caught.value.details["errors"]]


def test_an_outage_update_refuses_a_null_only_the_primary_may_not_clear() -> None:
    assert refusal(item_projection.update_item, {"id": CHILD, "version": 1, "title": None}) == [
        ("title", "must not be null")
    ]
    cleared = project(item_projection.update_item, {"id": CHILD, "version": 1, "branch_name": None})
    assert cleared.ack["branch_name"] is None and cleared.unverified == []


def test_an_outage_move_refuses_a_parent_below_the_item_or_deleted() -> None:
    below = refusal(item_projection.update_item, {"id": ROOT, "version": 1, "parent_id": CHILD})
    assert below == [("parent_id", "would make the item its own ancestor (a cycle)")]
    deleted = refusal(item_projection.create_item, {"item_type": "task", "title": "T", "parent_id": GONE})
    assert deleted == [("parent_id", "parent is deleted or archived")]
    moved = project(item_projection.update_item, {"id": CHILD, "version": 1, "parent_id": None})
    assert (moved.ack["path"], moved.ack["depth"]) == (root_path(CHILD), 0)


def test_an_outage_metadata_patch_is_merged_and_checked_against_the_type() -> None:
    patched = project(item_projection.update_item, {"id": CHILD, "version": 1, "metadata": {"estimated_hours": 2}})
    assert patched.ack["metadata"] == {"priority": "high", "estimated_hours": 2}
    wrong = refusal(item_projection.update_item, {"id": CHILD, "version": 1, "metadata": {"token_budget": 5000}})
    assert [field for field, _ in wrong] == ["metadata.token_budget"]


def test_an_outage_batch_names_each_item_once() -> None:
    update = {"id": CHILD, "version": 1, "status": "completed"}
    assert refusal(item_projection.update_items, {"items": []}) == [("items", "give at least one update")]
    assert refusal(item_projection.update_items, {"items": [update, update]}) == [("items.1.id", "repeats items.0.id")]


def test_an_outage_enhancement_link_closing_a_known_cycle_is_refused_and_an_unknown_one_left_to_replay() -> None:
    assert refusal(record_projection.update_enhancement, {"id": C, "version": 1, "depends_on": [A]}) == [
        ("depends_on", "would make a dependency cycle")
    ]
    assert refusal(record_projection.update_enhancement, {"id": A, "version": 1, "depends_on": [A]}) == [
        ("depends_on", "an enhancement cannot depend on itself")
    ]
    assert refusal(record_projection.update_enhancement, {"id": A, "version": 1, "description": None, "title": None})
    through_unknown = project(record_projection.update_enhancement, {"id": A, "version": 1, "depends_on": [B, B]})
    assert through_unknown.ack["depends_on"] == [B] and through_unknown.unverified == ["depends_on"]


def test_an_outage_vendor_update_merges_metadata_and_needs_status_or_metadata() -> None:
    assert refusal(item_projection.update_vendor, {"name": "ACME", "version": 2}) == [
        ("status", "give status or metadata to change")
    ]
    updated = project(
        item_projection.update_vendor,
        {"name": "acme", "version": 2, "status": "broken", "metadata": {"extractor_version": "1.0"}},
    )
    assert (updated.ack["status"], updated.ack["operational"], updated.ack["extractor_version"]) == (
        "broken",
        False,
        "1.0",
    )
    assert refusal(item_projection.create_vendor, {"name": "ACME"}) == [
        ("name", "a vendor named 'ACME' already exists (names ignore case)")
    ]


def test_an_outage_configuration_update_gives_at_least_one_setting() -> None:
    assert refusal(record_projection.update_configuration, {"version": 1}) == [
        ("version", "give at least one setting to change")
    ]
