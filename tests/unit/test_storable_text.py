"""Text that no database can keep alike, a NUL character or a lone surrogate, is refused by the
argument models wherever it appears, naming the field."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from statusboard.domain.deployments import NewDeployment
from statusboard.domain.enhancements import NewEnhancement
from statusboard.domain.limits import StorableText
from statusboard.domain.project_configuration import ConfigurationChanges
from statusboard.domain.validation import from_pydantic
from statusboard.domain.vendors import NewVendor
from statusboard.domain.work_items import NewWorkItem
from statusboard.interfaces.mcp.record_tools import ListSessionPromptsArgs, MigrateArgs, RecordSessionPromptArgs
from statusboard.interfaces.mcp.tools import TOOLS, ListWorkItemsArgs, UpdateWorkItemsArgs

ITEM_ID = "3f2a9c1e-0000-4000-8000-000000000001"
PROMPT = "---\nschema_version: 1\n---\n"
ENHANCEMENT = {"title": "e", "priority": "low", "target_quarter": "2027-Q1"}
DEPLOYMENT = {"metadata": {"commit_hash": "abcdef1"}}


def task(**fields: Any) -> dict[str, Any]:
    return {"item_type": "task", "title": "t", **fields}


def refusal(model: type[pydantic.BaseModel], arguments: dict[str, Any]) -> tuple[str, str]:
    """The field and message of the refusal of `arguments` (they must be refused, once)."""
    with pytest.raises(pydantic.ValidationError) as caught:
        model.model_validate(arguments)
    ((field, message),) = [(e["field"], e["message"]) for e in from_pydantic(caught.value).details["errors"]]
    return field, message


@pytest.mark.parametrize(
    ("model", "arguments", "field", "where"),
    [
        (NewWorkItem, task(title="a\x00b"), "title", ""),
        (
            NewWorkItem,
            {"item_type": "task", "title": "t", "metadata": {"blocked_reason": "\x00"}},
            "metadata",
            "blocked_reason: ",
        ),
        (
            NewWorkItem,
            {"item_type": "session", "title": "t", "metadata": {"yaml_frontmatter": {"schema_version": 1, "k\x00": 1}}},
            "metadata",
            "yaml_frontmatter: a key ",
        ),
        (
            NewEnhancement,
            {"title": "e", "priority": "low", "target_quarter": "2027-Q1", "description": "\x00"},
            "description",
            "",
        ),
        (ConfigurationChanges, {"git_branch": "main\x00"}, "git_branch", ""),
        (
            NewDeployment,
            {"metadata": {"commit_hash": "abcdef1"}, "vendor_names": ["v", "v\x00"]},
            "vendor_names",
            "1: ",
        ),
        (UpdateWorkItemsArgs, {"items": [{"id": ITEM_ID, "version": 1, "title": "\x00"}]}, "items", "0.title: "),
        (RecordSessionPromptArgs, {"session_id": "s", "content": PROMPT + "\x00"}, "content", ""),
        (ListWorkItemsArgs, {"created_by": "\x00"}, "created_by", ""),
        (ListSessionPromptsArgs, {"session_id": "\x00"}, "session_id", ""),
        (MigrateArgs, {"path": ".project_status.md\x00"}, "path", ""),
    ],
)
def test_a_nul_character_is_refused_in_any_text_naming_the_field(
    model: type[pydantic.BaseModel], arguments: dict[str, Any], field: str, where: str
) -> None:
    assert refusal(model, arguments) == (field, f"{where}holds a NUL character (U+0000), which cannot be stored")


@pytest.mark.parametrize(
    ("model", "arguments", "field"),
    [
        (NewVendor, {"name": "v\ud800"}, "name"),
        (NewWorkItem, {"item_type": "research", "title": "t", "metadata": {"references": ["\udfff"]}}, "metadata"),
        (MigrateArgs, {"path": "\udc80.md"}, "path"),
    ],
)
def test_a_lone_surrogate_is_refused_as_not_unicode_text(
    model: type[pydantic.BaseModel], arguments: dict[str, Any], field: str
) -> None:
    refused_field, message = refusal(model, arguments)
    assert refused_field == field and "lone surrogate" in message and message.endswith("which is not Unicode text")


def test_text_with_every_other_character_is_accepted() -> None:
    title = "tab\there, bell\x07 aside: é, 🦀, \u202e, \U0010ffff"
    assert NewWorkItem.model_validate({"item_type": "task", "title": title}).title == title


def test_every_tools_arguments_refuse_text_that_cannot_be_stored() -> None:
    assert [spec.name for spec in TOOLS if not issubclass(spec.args, StorableText)] == []
