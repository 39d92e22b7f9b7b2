"""The contract's limits, as the argument models enforce them: each refusal names the field."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from statusboard.config import ALL_TOOLSETS, Settings, Toolset
from statusboard.domain.deployments import NewDeployment
from statusboard.domain.enhancements import NewEnhancement
from statusboard.domain.errors import ValidationError
from statusboard.domain.limits import COLUMN_INT_MAX, MAX_SAFE_INTEGER, client_name_problem
from statusboard.domain.session_prompts import parse_frontmatter
from statusboard.domain.validation import from_pydantic
from statusboard.domain.vendors import NewVendor
from statusboard.domain.work_items import NewWorkItem
from statusboard.interfaces.mcp.record_tools import (
    ListSessionPromptsArgs,
    RecordSessionPromptArgs,
    UpdateVendorArgs,
)
from statusboard.interfaces.mcp.tools import ListChangesArgs, ListWorkItemsArgs, UpdateWorkItemArgs, UpdateWorkItemsArgs

ITEM_ID = "3f2a9c1e-0000-4000-8000-000000000001"


def refused_fields(model: type[pydantic.BaseModel], arguments: dict[str, Any]) -> list[str]:
    """The fields a refusal of `arguments` names (it must be refused)."""
    with pytest.raises(pydantic.ValidationError) as caught:
        model.model_validate(arguments)
    return [error["field"] for error in from_pydantic(caught.value).details["errors"]]


def nested(levels: int) -> dict[str, Any]:
    """A JSON object `levels` deep: {"a": {"a": … {}}}."""
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def task(**fields: Any) -> dict[str, Any]:
    return {"item_type": "task", "title": "t", **fields}


@pytest.mark.parametrize(
    ("model", "arguments", "field"),
    [
        (NewWorkItem, task(title="x" * 201), "title"),
        (NewVendor, {"name": "v" * 101}, "name"),
        (
            NewEnhancement,
            {"title": "e", "priority": "high", "target_quarter": "Q1 2026", "description": "d" * 2001},
            "description",
        ),
        (
            NewWorkItem,
            task(item_type="research", metadata={"findings_summary": "f" * 2001}),
            "metadata.findings_summary",
        ),
        (NewWorkItem, task(item_type="research", metadata={"references": ["r" * 2001]}), "metadata.references.0"),
        (ListWorkItemsArgs, {"created_by": "c" * 101}, "created_by"),
        (ListSessionPromptsArgs, {"session_id": "s" * 101}, "session_id"),
        (RecordSessionPromptArgs, {"session_id": "s", "content": "x" * 200_001}, "content"),
        (NewDeployment, {"metadata": {"commit_hash": "abcdef1"}, "vendor_names": ["v" * 101]}, "vendor_names.0"),
    ],
)
def test_strings_beyond_their_documented_length_are_refused_naming_the_field(
    model: type[pydantic.BaseModel], arguments: dict[str, Any], field: str
) -> None:
    assert field in refused_fields(model, arguments)


@pytest.mark.parametrize(
    ("model", "arguments", "field"),
    [
        (NewDeployment, {"metadata": {"commit_hash": "abcdef1"}, "vendor_ids": [ITEM_ID] * 101}, "vendor_ids"),
        (NewDeployment, {"metadata": {"commit_hash": "abcdef1"}, "work_item_ids": [ITEM_ID] * 101}, "work_item_ids"),
        (
            NewWorkItem,
            task(item_type="research", metadata={"research_questions": ["q"] * 101}),
            "metadata.research_questions",
        ),
        (
            NewWorkItem,
            task(item_type="project", metadata={"constitutional_principles": ["p"] * 101}),
            "metadata.constitutional_principles",
        ),
        (UpdateWorkItemsArgs, {"items": [{"id": ITEM_ID, "version": 1}] * 101}, "items"),
    ],
)
def test_lists_of_more_than_100_entries_are_refused(
    model: type[pydantic.BaseModel], arguments: dict[str, Any], field: str
) -> None:
    assert field in refused_fields(model, arguments)


def test_a_list_of_100_entries_is_accepted() -> None:
    deployment = NewDeployment.model_validate({"metadata": {"commit_hash": "abcdef1"}, "vendor_ids": [ITEM_ID] * 100})
    assert len(deployment.vendor_ids) == 100


def test_metadata_deeper_than_10_levels_is_refused_and_10_levels_are_accepted() -> None:
    def session(levels: int) -> dict[str, Any]:  # metadata > yaml_frontmatter > levels - 2 more objects
        return task(item_type="session", metadata={"yaml_frontmatter": {"schema_version": 1, **nested(levels - 1)}})

    assert NewWorkItem.model_validate(session(10)).metadata["yaml_frontmatter"]["schema_version"] == 1
    assert refused_fields(NewWorkItem, session(11)) == ["metadata"]


def test_metadata_nested_100000_levels_is_refused_without_recursing() -> None:
    assert refused_fields(NewWorkItem, task(metadata=nested(100_000))) == ["metadata"]


def test_metadata_larger_than_16_kb_is_refused_whatever_holds_the_bytes() -> None:
    frontmatter = {"schema_version": 1, "notes": "n" * 16_500}
    assert refused_fields(NewWorkItem, task(item_type="session", metadata={"yaml_frontmatter": frontmatter})) == [
        "metadata"
    ]
    assert refused_fields(NewWorkItem, task(item_type="research", metadata={"findings_summary": "f" * 10_000_000})) == [
        "metadata"
    ]


def test_unknown_metadata_keys_are_refused_by_the_arguments_and_known_ones_of_any_type_pass() -> None:
    assert refused_fields(NewWorkItem, task(metadata={"colour": "blue"})) == ["metadata.colour"]
    assert refused_fields(UpdateVendorArgs, {"name": "v", "version": 1, "metadata": {"colour": "blue"}}) == [
        "metadata.colour"
    ]
    patch = UpdateWorkItemArgs.model_validate({"id": ITEM_ID, "version": 1, "metadata": {"description": None}})
    assert patch.changes().metadata == {"description": None}  # a null stays: it removes the key


@pytest.mark.parametrize(
    ("model", "arguments", "field"),
    [
        (NewWorkItem, task(pr_number=2**31), "pr_number"),
        (NewWorkItem, task(pr_number=2**63), "pr_number"),
        (ListWorkItemsArgs, {"offset": 2**63}, "offset"),
        (ListChangesArgs, {"since_seq": 2**63}, "since_seq"),
        (UpdateWorkItemArgs, {"id": ITEM_ID, "version": 2**63}, "version"),
        (
            NewVendor,
            {"name": "v", "metadata": {"test_results": {"passing": 10**18, "total": 10**18, "skipped": 0}}},
            "metadata",
        ),
        (
            NewVendor,
            {"name": "v", "metadata": {"test_results": {"passing": 0, "total": 2**31, "skipped": 0}}},
            "metadata.test_results.total",
        ),
        (
            NewDeployment,
            {"metadata": {"commit_hash": "abcdef1", "test_summary": {"passed": 2**53}}},
            "metadata.test_summary.passed",
        ),
        (NewWorkItem, task(item_type="session", metadata={"prompts_count": 2**53}), "metadata"),
        (
            NewWorkItem,
            task(item_type="session", metadata={"yaml_frontmatter": {"schema_version": 1, "n": -(2**53)}}),
            "metadata",
        ),
    ],
)
def test_integers_beyond_2_53_minus_1_are_refused_naming_the_field(
    model: type[pydantic.BaseModel], arguments: dict[str, Any], field: str
) -> None:
    assert field in refused_fields(model, arguments)


def test_integers_up_to_their_bounds_are_accepted() -> None:
    assert NewWorkItem.model_validate(task(pr_number=COLUMN_INT_MAX)).pr_number == COLUMN_INT_MAX
    assert ListChangesArgs.model_validate({"since_seq": MAX_SAFE_INTEGER}).since_seq == MAX_SAFE_INTEGER
    summary = {"commit_hash": "abcdef1", "test_summary": {"passed": MAX_SAFE_INTEGER}}
    assert NewDeployment.model_validate({"metadata": summary}).metadata.test_summary == {"passed": MAX_SAFE_INTEGER}
    counts = {"passing": COLUMN_INT_MAX - 1, "total": COLUMN_INT_MAX, "skipped": 1}
    assert (
        NewVendor.model_validate({"name": "v", "metadata": {"test_results": counts}}).metadata["test_results"] == counts
    )


@pytest.mark.parametrize(
    "timestamp",
    ["0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:00:00-05:00", "2026-03-01T10:00:00"],
)
def test_timestamps_without_an_offset_or_outside_1970_to_9999_are_refused(timestamp: str) -> None:
    arguments = {"metadata": {"commit_hash": "abcdef1"}, "timestamp": timestamp}
    assert refused_fields(NewDeployment, arguments) == ["timestamp"]


def test_a_timestamp_keeps_its_instant_in_utc() -> None:
    deployment = NewDeployment.model_validate(
        {"metadata": {"commit_hash": "abcdef1"}, "timestamp": "1970-01-01T05:00+05:00"}
    )
    assert deployment.timestamp is not None and deployment.timestamp.isoformat() == "1970-01-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("claude-code", False),
        ("c" * 100, False),
        ("Zed Editor 0.1 (β)", False),
        ("c" * 101, True),
        ("", True),
        ("   ", True),
        ("two\nlines", True),
        ("bell\x07", True),
    ],
)
def test_client_names_are_1_to_100_printable_characters(name: str, refused: bool) -> None:
    assert (client_name_problem(name) is not None) is refused


def test_the_client_id_setting_follows_the_client_name_rule_at_start() -> None:
    assert Settings.from_env({"STATUSBOARD_CLIENT_ID": "ci-bot"}).client_id == "ci-bot"
    with pytest.raises(ValueError, match="STATUSBOARD_CLIENT_ID must be at most 100 characters"):
        Settings.from_env({"STATUSBOARD_CLIENT_ID": "x" * 101})


@pytest.mark.parametrize(
    ("value", "toolsets"),
    [
        ("", ALL_TOOLSETS),
        ("all", ALL_TOOLSETS),
        ("agent", {Toolset.AGENT}),
        ("agent, records", {Toolset.AGENT, Toolset.RECORDS}),
        ("ADMIN,agent", {Toolset.ADMIN, Toolset.AGENT}),
        ("agent,all", ALL_TOOLSETS),
    ],
)
def test_the_toolsets_setting_names_sets_separated_by_commas(value: str, toolsets: set[Toolset]) -> None:
    assert Settings.from_env({"STATUSBOARD_TOOLSETS": value}).toolsets == toolsets


def test_an_unknown_toolset_stops_the_start_with_one_line() -> None:
    with pytest.raises(ValueError) as caught:
        Settings.from_env({"STATUSBOARD_TOOLSETS": "agent,vendors"})
    assert "\n" not in str(caught.value)
    assert "'vendors'" in str(caught.value) and "agent, records, admin, all" in str(caught.value)


def frontmatter_line(content: str) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_frontmatter(content)
    assert caught.value.details["field"] == "content"
    return str(caught.value.details["errors"][0]["message"])


@pytest.mark.parametrize(
    ("levels", "refusal"),
    [
        (400, "line 3: frontmatter is nested deeper than 10 levels"),
        (5_000, "line 3: frontmatter is nested deeper than 10 levels"),
        (99_000, "line 2: frontmatter is larger than 16 KB"),
    ],
)
def test_frontmatter_nested_in_brackets_is_refused_at_its_line_before_it_is_parsed(levels: int, refusal: str) -> None:
    content = "---\nschema_version: 1\nx: " + "[" * levels + "]" * levels + "\n---\nbody"
    assert frontmatter_line(content).startswith(refusal)


def test_frontmatter_nested_in_blocks_is_refused_at_its_line() -> None:
    block = "".join(f"{'  ' * level}k{level}:\n" for level in range(12))
    assert frontmatter_line(f"---\nschema_version: 1\n{block}---\n").startswith(
        "line 13: frontmatter is nested deeper than 10 levels"
    )


def test_brackets_hidden_in_quotes_still_meet_the_parsers_depth_check() -> None:
    hidden = '["]]]]]]]]]]", ' * 12 + "1" + "]" * 12  # the raw scan sees 1 level at most; the parser 12
    assert "nested deeper than 10 levels" in frontmatter_line(f"---\nschema_version: 1\nx: {hidden}\n---\n")


def test_frontmatter_ten_levels_deep_is_accepted() -> None:
    data, body = parse_frontmatter("---\nschema_version: 1\nx: " + "[" * 9 + "1" + "]" * 9 + "\n---\nbody")
    assert data["x"] == [[[[[[[[[1]]]]]]]]] and body == "body"


def test_frontmatter_larger_than_16_kb_is_refused() -> None:
    content = "---\nschema_version: 1\nnotes: " + "n" * 16_400 + "\n---\n"
    assert frontmatter_line(content).startswith("line 2: frontmatter is larger than 16 KB")


@pytest.mark.parametrize("digits", [17, 5_000])
def test_frontmatter_integers_beyond_2_53_minus_1_are_refused(digits: int) -> None:
    assert "frontmatter" in frontmatter_line(f"---\nschema_version: 1\ncount: {'9' * digits}\n---\n")
