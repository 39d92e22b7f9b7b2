"""Field and metadata rules for work items: pure, no database."""

from __future__ import annotations

import pytest

from statusboard.domain.errors import ValidationError
from statusboard.domain.validation import validated
from statusboard.domain.work_items import (
    NewWorkItem,
    WorkItemChanges,
    merge_metadata,
    validate_metadata,
)


def _fields(exc: ValidationError) -> list[str]:
    return [e["field"] for e in exc.details["errors"]]


@pytest.mark.parametrize(
    ("item_type", "metadata"),
    [
        ("task", {"estimated_hours": 2.5, "actual_hours": 0, "blocked_reason": "waiting", "priority": "high"}),
        ("project", {"description": "d", "target_quarter": "2026-Q1", "constitutional_principles": ["a"]}),
        ("session", {"token_budget": 50000, "prompts_count": 0, "yaml_frontmatter": {"schema_version": "1.0", "x": 1}}),
        ("research", {"research_questions": ["q"], "findings_summary": "f", "references": ["r"]}),
        ("task", {}),
    ],
)
def test_valid_metadata_for_each_type_is_accepted(item_type: str, metadata: dict[str, object]) -> None:
    assert validate_metadata(item_type, metadata) == metadata


@pytest.mark.parametrize(
    ("item_type", "metadata", "field"),
    [
        ("task", {"estimated_hours": 1001}, "metadata.estimated_hours"),
        ("task", {"actual_hours": -1}, "metadata.actual_hours"),
        ("task", {"blocked_reason": "x" * 501}, "metadata.blocked_reason"),
        ("task", {"token_budget": 5000}, "metadata.token_budget"),
        ("task", {"estimated_hours": "2"}, "metadata.estimated_hours"),
        ("project", {"target_quarter": "Q1 2026"}, "metadata.target_quarter"),
        ("project", {"description": "x" * 1001}, "metadata.description"),
        ("session", {"token_budget": 999}, "metadata.token_budget"),
        ("session", {"token_budget": 1_000_001}, "metadata.token_budget"),
        ("session", {"prompts_count": -1}, "metadata.prompts_count"),
        ("session", {"yaml_frontmatter": {"author": "x"}}, "metadata.yaml_frontmatter.schema_version"),
        ("research", {"findings_summary": "x" * 2001}, "metadata.findings_summary"),
        ("research", {"references": ["ok", 3]}, "metadata.references.1"),
        ("research", {"priority": "urgent"}, "metadata.priority"),
    ],
)
def test_invalid_metadata_is_refused_with_its_field_path(
    item_type: str, metadata: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_metadata(item_type, metadata)
    assert _fields(caught.value) == [field]
    assert caught.value.details["field"] == field


def test_unknown_metadata_key_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_metadata("task", {"estimated_hours": 1, "colour": "red"})
    assert caught.value.details["errors"] == [{"field": "metadata.colour", "message": "unknown field"}]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("commit_hash", "abc12"),
        ("commit_hash", "ABC1234"),
        ("commit_hash", "g" * 7),
        ("commit_hash", "a" * 41),
        ("branch_name", "feature branch"),
        ("branch_name", "bad..name"),
        ("branch_name", "-leading"),
        ("branch_name", "ends.lock"),
        ("pr_number", 0),
        ("pr_number", "12"),
        ("title", ""),
        ("title", "   "),
        ("title", "x" * 201),
        ("item_type", "epic"),
        ("status", "done"),
        ("parent_id", "not-a-uuid"),
    ],
)
def test_bad_fields_of_a_new_item_are_refused(field: str, value: object) -> None:
    draft = {"item_type": "task", "title": "t", field: value}
    with pytest.raises(ValidationError) as caught:
        validated(NewWorkItem, draft)
    assert _fields(caught.value) == [field]


def test_good_git_fields_are_accepted() -> None:
    item = validated(
        NewWorkItem,
        {"item_type": "task", "title": "t", "branch_name": "feature/x-1", "commit_hash": "abc1234", "pr_number": 7},
    )
    assert (item.branch_name, item.commit_hash, item.pr_number) == ("feature/x-1", "abc1234", 7)


def test_parent_id_is_stored_in_canonical_form() -> None:
    item = validated(
        NewWorkItem, {"item_type": "task", "title": "t", "parent_id": "A" * 8 + "-" + "B" * 4 * 3 + "C" * 12}
    )
    assert item.parent_id == "aaaaaaaa-bbbb-bbbb-bbbb-cccccccccccc"


def test_changes_remember_which_fields_were_given() -> None:
    changes = validated(WorkItemChanges, {"title": "new", "parent_id": None})
    assert changes.model_fields_set == {"title", "parent_id"}


def test_metadata_patch_replaces_given_keys_and_drops_nulls() -> None:
    merged = merge_metadata({"estimated_hours": 1, "blocked_reason": "x"}, {"actual_hours": 2, "blocked_reason": None})
    assert merged == {"estimated_hours": 1, "actual_hours": 2}
